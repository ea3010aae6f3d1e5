import GFECore
import GFEData
import GFESolvers

/// One training step of a GFE run recomputed apart from training, in Float32 and in Float64, to find out why
/// it failed (`gfe replay`): the decoder as it was before the step, the step's minibatch and z₀ (the
/// sampler and the z₀ stream advanced exactly as training advanced them), the run's encoder (or a changed
/// one) and decoder gradient.
///
/// Float32 is training's arithmetic, so its numbers are the failed step's own (the replay reproduces the
/// failure); Float64 runs the same algorithm with the same inputs in double precision (the engine is generic
/// over `Scalar`), which separates a precision problem (Float64 finite) from an unstable algorithm (Float64
/// as bad). For a fixed-grid gradient-flow encoder it also measures the flow's stiffness along the grid in
/// Float64 (`FlowStiffness`), and for the adjoint gradient it traces the adjoint's norm through the backward
/// sweep in both precisions.
public struct StepReplay: Sendable {
    /// The numbers of one precision.
    public struct Outcome: Sendable {
        /// The batch-mean loss at z*.
        public var meanLoss: Double
        /// ‖dL/dθ‖ over the finite entries, in Double; and how many entries are not finite.
        public var gradientNorm: Double
        public var nonFiniteGradientEntries: Int
        public var parameterCount: Int
        /// The mean ‖∇_z ℓᵢ‖ at z* (0 at a stationary point, where the approximate gradient is exact).
        public var meanLatentGradientNorm: Double
        /// Decoder evaluations of the solve and second-order passes of the decoder gradient.
        public var solvePasses: Int
        public var secondOrderPasses: Int
        /// The adjoint's backward sweep, interval by interval (adjoint gradient only; else empty).
        public var adjointSweep: [AdjointSweepStep]

        public var isFinite: Bool { meanLoss.isFinite && nonFiniteGradientEntries == 0 }
    }

    /// One interval of the fixed grid, with the flow's stiffness at its two grid points (Float64 solve).
    public struct GridInterval: Sendable {
        public var interval: Int
        public var time: Double
        public var step: Double
        /// α at t_k.
        public var alpha: Double
        /// The largest h·α(t)·λmax(H(z(t))) over the rows and the interval's two grid points, and its row.
        public var stiffness: Double
        public var row: Int
        /// `FlowStiffness.amplification(stiffness)`: > 1 beyond the Runge–Kutta stability limit.
        public var amplification: Double
    }

    /// The step replayed: the iteration it made (1-based) and the images seen before it.
    public var iteration: Int
    public var imagesSeenBefore: Int
    public var batchSize: Int
    public var encoder: EncoderSettings
    public var gradient: DecoderGradientMode
    public var float32: Outcome
    public var float64: Outcome
    /// Fixed-grid gradient flow only (nil otherwise).
    public var grid: [GridInterval]?

    /// Replays iteration `iteration` (1-based) of a GFE run with `config`, from `decoder` (the parameters the
    /// step started from), on `data` cut for the run. `encoder` replaces the config's encoder for the replay
    /// (nil: the run's). Throws `GFEError.badInput` for an AE, persistent latents (the step would need the
    /// table the earlier steps built), an iteration outside the budget (its last + 1, the step a longer run
    /// would take next, is allowed), or a decoder of another shape.
    public static func replay(
        config: TrainingConfig, data: TrainingData, decoder: MLP<Float>, iteration: Int,
        encoder: EncoderSettings? = nil, gradient: DecoderGradientSettings? = nil
    ) throws -> StepReplay {
        guard config.method == .gfe else {
            throw GFEError.badInput("replay: the run is an autoencoder; replay recomputes a GFE step (encoder solve)")
        }
        guard config.persistentLatents == .none else {
            throw GFEError.badInput(
                "replay: the run keeps persistent latents ('\(config.persistentLatents.rawValue)'); its step "
                    + "starts from the table the earlier steps built, which is not stored")
        }
        let b = config.batchSize
        let total = config.budget.iterations(poolCount: data.train.count, batchSize: b)
        // total + 1: the step a longer run would take next, from a finished run's final model.
        guard (1...(total + 1)).contains(iteration) else {
            throw GFEError.badInput(
                "replay: iteration \(iteration) is outside the run's budget and the step after it (1 … \(total + 1))")
        }
        let architecture = config.decoderArchitecture(sampleSize: data.sampleSize)
        guard decoder.architecture == architecture else {
            throw GFEError.badInput(
                "replay: the stored decoder's layers \(decoder.architecture.sizes) are not the config's "
                    + "\(architecture.sizes)")
        }
        var settings = config
        if let encoder { settings.encoder = encoder }
        if let gradient { settings.gradient = gradient }
        try settings.validate()

        // The batch and z₀ of the step: the sampler and the z₀ stream advanced through the earlier steps.
        var sampler = try data.train.sampler(batchSize: b, seed: config.seed)
        var z0Stream = RNG(seed: config.seed, stream: "z0")
        let drawer = try LatentEncoder<DecoderObjective<Float>>(config.encoder)
        var batch: [Int] = []
        for _ in 1..<iteration {
            sampler.nextBatch(into: &batch)
            _ = drawer.initialPoint(rows: batch.count, dim: config.latentDim, rng: &z0Stream)
        }
        let seenBefore = sampler.imagesSeen
        sampler.nextBatch(into: &batch)
        var x = Matrix<Float>(rows: batch.count, cols: data.sampleSize)
        data.train.gather(batch, into: &x)

        let float32 = try run(settings, decoder: decoder, x: x, rng: z0Stream)
        let wide = try MLP<Double>(architecture: architecture, parameters: decoder.parameters.map(Double.init))
        let xWide = Matrix<Double>(rows: x.rows, cols: x.cols, storage: x.storage.map(Double.init))
        let float64 = try run(settings, decoder: wide, x: xWide, rng: z0Stream)
        return StepReplay(
            iteration: iteration, imagesSeenBefore: seenBefore, batchSize: batch.count, encoder: settings.encoder,
            gradient: settings.gradient.mode, float32: float32, float64: float64,
            grid: try stiffness(settings, decoder: wide, x: xWide))
    }

    private static func run<T: Scalar>(
        _ config: TrainingConfig, decoder: MLP<T>, x: Matrix<T>, rng: RNG
    ) throws -> Outcome {
        var rng = rng
        var objective = DecoderObjective(decoder: decoder, maxBatch: x.rows, loss: config.decoder.loss)
        var encoder = try LatentEncoder<DecoderObjective<T>>(config.encoder)
        var gradient = [T](repeating: 0, count: decoder.parameterCount)
        var sweep: [AdjointSweepStep] = []
        let r = try DecoderGradient.encodeAndGradient(
            settings: config.gradient, encoder: &encoder, objective: &objective, x: x, layout: .oneGroup,
            rng: &rng, parameterGradient: &gradient, observeAdjoint: { sweep.append($0) })
        var sum = 0.0
        var nonFinite = 0
        for g in gradient {
            if g.isFinite { sum += Double(g) * Double(g) } else { nonFinite += 1 }
        }
        return Outcome(
            meanLoss: Double(r.loss) / Double(max(x.rows, 1)), gradientNorm: sum.squareRoot(),
            nonFiniteGradientEntries: nonFinite, parameterCount: gradient.count,
            meanLatentGradientNorm: r.encoding.statistics.sampleGradientNorm.reduce(0, +)
                / Double(max(x.rows, 1)),
            solvePasses: r.encoding.statistics.evaluations, secondOrderPasses: r.statistics.secondOrderPasses,
            adjointSweep: sweep)
    }

    /// The stiffness of a fixed-grid gradient-flow solve at every grid point (Float64), per interval.
    private static func stiffness(_ config: TrainingConfig, decoder: MLP<Double>, x: Matrix<Double>) throws
        -> [GridInterval]?
    {
        guard case .fixedGrid(var s) = config.encoder, s.dynamics == .gradientFlow else { return nil }
        s.recordTrajectory = true
        var objective = DecoderObjective(decoder: decoder, maxBatch: x.rows, loss: config.decoder.loss)
        var encoder = try LatentEncoder<DecoderObjective<Double>>(.fixedGrid(s))
        var rng = RNG(seed: 0, stream: "unused")
        guard case .fixedGrid(let trajectory)? = try encoder.encode(objective: &objective, x: x, rng: &rng).trajectory
        else { return nil }
        // Per grid point: the largest α(t)·λmax over the rows, and its row.
        let points = trajectory.z.indices.map { k -> (value: Double, row: Int) in
            let lambdas = FlowStiffness.largestEigenvalues(objective: &objective, z: trajectory.z[k], x: x)
            let alpha = s.alpha(trajectory.times[k])
            let row = lambdas.indices.max { alpha * lambdas[$0] < alpha * lambdas[$1] } ?? 0
            return (lambdas.isEmpty ? 0 : alpha * lambdas[row], row)
        }
        return (0..<(points.count - 1)).map { k in
            let h = trajectory.times[k + 1] - trajectory.times[k]
            let worst = points[k].value >= points[k + 1].value ? points[k] : points[k + 1]
            return GridInterval(
                interval: k, time: trajectory.times[k], step: h, alpha: s.alpha(trajectory.times[k]),
                stiffness: h * worst.value, row: worst.row,
                amplification: FlowStiffness.amplification(h * worst.value))
        }
    }
}
