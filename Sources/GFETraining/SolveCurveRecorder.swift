import GFECore
import GFEData
import GFESolvers

/// One recorded solve curve (`outputs.solveCurves`): the batch-mean loss ℓ of the solve-curve batch at every
/// time the solver reported, with the decoder as it was after `iteration` training iterations.
public struct SolveCurve: Sendable, Equatable {
    /// Completed training iterations when the batch was encoded (0: the untrained decoder).
    public var iteration: Int
    /// Images seen by training at that point.
    public var imagesSeen: Int
    /// Training seconds at that point (the encoding itself is not counted).
    public var wallSeconds: Double
    /// Images in the batch.
    public var images: Int
    /// The solver's times: the grid t₀ … t_{N−1} (fixed grid), the accepted times from 0 (AMD), 0 and η
    /// (one-step).
    public var times: [Double]
    /// The mean of ℓ over the batch at each time (Float losses summed in Double, in image order).
    public var meanLoss: [Double]
}

/// Encodes the solve-curve batch with the run's own encoder, away from training: a separate encoder and
/// objective on a copy of the decoder, and z₀ (AMD or one-step with the `uniform` rule) drawn from its own
/// stream `z0Stream`, restarted for every curve so all curves of a run start from the same z₀ and differ only
/// by the decoder. Training therefore computes the same numbers with or without solve curves.
///
/// Recording is switched on for the copy of the encoder settings (fixed grid `recordTrajectory`, AMD
/// `record: summary`); neither changes a number of the solve.
struct SolveCurveRecorder {
    /// The RNG stream of the solve-curve z₀ (seeded by the run's seed).
    static let z0Stream = "solve-curves-z0"

    let settings: SolveCurveSettings
    /// The run's encoder with recording on.
    let encoder: EncoderSettings
    let seed: UInt64
    /// The first `settings.images` images of the train pool.
    let batch: Matrix<Float>

    /// Checks `settings` against the run: a GFE run, no iteration beyond `totalIterations`.
    init(_ settings: SolveCurveSettings, config: TrainingConfig, train: DataSplit, totalIterations: Int) throws {
        guard config.method == .gfe else {
            throw GFEError.badInput("solve curves (outputs.solveCurves) need a GFE run; an autoencoder has no solver")
        }
        if let beyond = settings.iterations.first(where: { $0 > totalIterations }) {
            throw GFEError.badInput(
                "outputs.solveCurves: iteration \(beyond) is beyond the budget, which ends after "
                    + "\(totalIterations) iterations; raise the budget or drop it")
        }
        self.settings = settings
        encoder = Self.recording(config.encoder)
        seed = config.seed
        let n = min(settings.images, train.count)
        var x = Matrix<Float>(rows: n, cols: train.sampleSize)
        train.gather(0..<n, into: &x)
        batch = x
    }

    /// `settings` with the record the curve is read from switched on.
    static func recording(_ settings: EncoderSettings) -> EncoderSettings {
        switch settings {
        case .amd(var s):
            if s.record == .none { s.record = .summary }
            return .amd(s)
        case .fixedGrid(var s):
            s.recordTrajectory = true
            return .fixedGrid(s)
        case .oneStep, .latentOptimiser:
            return settings
        }
    }

    /// The curve of `model`'s decoder (a copy; the caller's is not touched).
    func curve(model: TrainedModel, iteration: Int, imagesSeen: Int, wallSeconds: Double) throws -> SolveCurve {
        var objective = DecoderObjective(decoder: model.decoder, maxBatch: max(batch.rows, 1), loss: model.loss)
        var solver = try LatentEncoder<DecoderObjective<Float>>(encoder)
        var rng = RNG(seed: seed, stream: Self.z0Stream)
        let encoding = try solver.encode(objective: &objective, x: batch, layout: .oneGroup, rng: &rng)
        var eta = 0.0
        if case .oneStep(let s) = encoder { eta = s.eta }
        let (times, meanLoss) = Self.meanLossCurve(encoding, eta: eta)
        return SolveCurve(
            iteration: iteration, imagesSeen: imagesSeen, wallSeconds: wallSeconds, images: batch.rows,
            times: times, meanLoss: meanLoss)
    }

    /// The batch-mean loss at every reported time of a recorded solve (`eta`: the one-step encoder's step).
    static func meanLossCurve(_ encoding: Encoding<Float>, eta: Double) -> (times: [Double], meanLoss: [Double]) {
        switch encoding.trajectory {
        case .fixedGrid(let t)?:
            return (t.times, t.sampleLosses.map { mean($0) })
        case .oneStep(_, let loss0, _)?:
            // The step's time is η (a row whose step failed reports ℓ at z₀ there, as its z* is z₀).
            return ([0, eta], [mean(loss0), encoding.statistics.meanLoss])
        case .latentOptimiser(let meanLoss)?:
            // The "time" of an optimiser is its step count.
            return (meanLoss.indices.map(Double.init), meanLoss)
        case .amd?, nil:
            return merged(encoding.statistics.groups)
        }
    }

    /// AMD's per-group records as one curve. One group (batch step control): its accepted times and mean
    /// losses. Several (`sample` step control, each image its own clock): at every time any group accepted,
    /// the mean over the images of the loss each had reached by then, weighted by group size.
    static func merged(_ groups: [GroupStatistics]) -> (times: [Double], meanLoss: [Double]) {
        if groups.count == 1 { return (groups[0].acceptedTimes ?? [], groups[0].meanLossTrajectory ?? []) }
        let times = Set(groups.flatMap { $0.acceptedTimes ?? [] }).sorted()
        let rows = Double(groups.reduce(0) { $0 + $1.rowCount })
        var position = [Int](repeating: 0, count: groups.count)
        let meanLoss = times.map { t -> Double in
            var sum = 0.0
            for (gi, g) in groups.enumerated() {
                guard let ts = g.acceptedTimes, let ls = g.meanLossTrajectory, !ts.isEmpty else { return .nan }
                while position[gi] + 1 < ts.count && ts[position[gi] + 1] <= t { position[gi] += 1 }
                sum += ls[position[gi]] * Double(g.rowCount)
            }
            return sum / rows
        }
        return (times, meanLoss)
    }

    /// The mean of Float values summed in Double in index order (NaN when empty).
    static func mean(_ values: [Float]) -> Double { Finite.mean(values, values.count) }
}
