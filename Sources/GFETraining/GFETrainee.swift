import GFECore
import GFESolvers

/// A GFE decoder in training (SPEC §5–§6): per minibatch the encoder finds z* (z₀ per the encoder's rule,
/// `uniform` drawn per batch from `RNG(seed, "z0")`), the decoder gradient of the batch-sum loss is formed
/// per `config.gradient`, and the optimiser takes one step. The decoder starts PyTorch-style from
/// `RNG(seed, "init")`. A training batch is one group (AMD: one t, dt and stop for the batch).
struct GFETrainee: Trainee {
    var objective: DecoderObjective<Float>
    var encoder: LatentEncoder<DecoderObjective<Float>>
    var optimiser: ConfiguredOptimiser
    let gradientSettings: DecoderGradientSettings
    private var z0Stream: RNG
    private var gradient: [Float]
    /// `persistentLatents` `warmStart` or `joint`: each training sample's latent (warm start: its last z*),
    /// row per train-split position, and whether it has one yet.
    private(set) var latentTable: Matrix<Float>?
    private var hasLatent: [Bool]
    /// `joint`: each latent's own Adam (created at its first update, so its step count is its own updates).
    private var latentOptimisers: [Int: Adam<Float>] = [:]
    private let persistence: PersistentLatents
    private let latentLearningRate: Double
    private let latentPrior: Float

    init(config: TrainingConfig, sampleSize: Int, poolCount: Int) throws {
        let decoder = MLP<Float>(
            architecture: config.decoderArchitecture(sampleSize: sampleSize), seed: config.seed, stream: "init")
        objective = DecoderObjective(decoder: decoder, maxBatch: config.batchSize, loss: config.decoder.loss)
        encoder = try LatentEncoder(config.encoder)
        optimiser = config.optimiser.make(parameterCount: decoder.parameterCount)
        gradientSettings = config.gradient
        z0Stream = RNG(seed: config.seed, stream: "z0")
        gradient = [Float](repeating: 0, count: decoder.parameterCount)
        persistence = config.persistentLatents
        latentLearningRate = config.latentLearningRate
        latentPrior = Float(config.latentPrior)
        let table = persistence != .none
        latentTable = table ? Matrix(rows: poolCount, cols: config.latentDim) : nil
        hasLatent = [Bool](repeating: false, count: table ? poolCount : 0)
    }

    /// The rows' latents in the table: z₀ is drawn by the encoder's rule for every row (so the z₀ stream
    /// advances as without a table, and a first epoch of warm starts computes the same numbers), then a
    /// sample seen before takes its stored latent.
    private mutating func storedLatents(rows: Int, positions: [Int]) -> Matrix<Float>? {
        guard let table = latentTable else { return nil }
        var start = encoder.initialPoint(rows: rows, dim: table.cols, rng: &z0Stream)
        for (row, p) in positions.enumerated() where hasLatent[p] {
            for j in 0..<table.cols { start[row, j] = table[p, j] }
        }
        return start
    }

    mutating func step(x: Matrix<Float>, positions: [Int]) throws -> StepOutcome {
        if persistence == .joint { return jointStep(x: x, positions: positions) }
        let z0 = storedLatents(rows: x.rows, positions: positions)
        let r = try DecoderGradient.encodeAndGradient(
            settings: gradientSettings, encoder: &encoder, objective: &objective, x: x, layout: .oneGroup, z0: z0,
            rng: &z0Stream, parameterGradient: &gradient)
        if latentTable != nil {
            for (row, p) in positions.enumerated() where r.encoding.statistics.sampleResult[row] != .nonFinite {
                for j in 0..<r.encoding.z.cols { latentTable![p, j] = r.encoding.z[row, j] }
                hasLatent[p] = true
            }
        }
        let mean = Double(r.loss) / Double(max(x.rows, 1))
        let solve = SolveSummary(r.encoding.statistics)
        guard mean.isFinite, r.statistics.parameterGradientIsFinite else {
            return StepOutcome(meanLoss: mean, solve: solve, finite: false)
        }
        optimiser.update(&objective.decoder.parameters, gradient: gradient)
        return StepOutcome(meanLoss: mean, solve: solve, finite: true)
    }

    /// `joint`: one forward and backward pass at the stored latents gives ∂_θ L for the decoder's optimiser
    /// and ∇_z ℓᵢ (+ 2λzᵢ) for each latent's Adam step. Nothing is updated unless every value is finite.
    private mutating func jointStep(x: Matrix<Float>, positions: [Int]) -> StepOutcome {
        let z = storedLatents(rows: x.rows, positions: positions)!
        var loss: [Float] = []
        var latentGradient = Matrix<Float>(rows: z.rows, cols: z.cols)
        objective.lossAndGradients(
            z: z, x: x, loss: &loss, gradient: &latentGradient, parameterGradient: &gradient)
        let mean = Finite.mean(loss, x.rows)
        guard mean.isFinite, Finite.all(gradient), Finite.all(latentGradient.storage) else {
            return StepOutcome(meanLoss: mean, solve: nil, finite: false)
        }
        optimiser.update(&objective.decoder.parameters, gradient: gradient)
        for (row, p) in positions.enumerated() {
            var latent = (0..<z.cols).map { z[row, $0] }
            let g = (0..<z.cols).map { latentGradient[row, $0] + 2 * latentPrior * latent[$0] }
            var adam = latentOptimisers[p] ?? Adam(parameterCount: z.cols, learningRate: latentLearningRate)
            adam.update(&latent, gradient: g)
            latentOptimisers[p] = adam
            for j in 0..<z.cols { latentTable![p, j] = latent[j] }
            hasLatent[p] = true
        }
        return StepOutcome(meanLoss: mean, solve: nil, finite: true)
    }

    var snapshot: TrainedModel { TrainedModel(method: .gfe, decoder: objective.decoder, loss: objective.loss) }
    var optimiserStates: [OptimiserState<Float>] { [optimiser.state] }
}
