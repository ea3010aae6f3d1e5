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
    /// `persistentLatents: warmStart`: each training sample's last z*, row per train-split position, and
    /// whether it has one yet.
    private(set) var latentTable: Matrix<Float>?
    private var hasLatent: [Bool]

    init(config: TrainingConfig, sampleSize: Int, poolCount: Int) throws {
        let decoder = MLP<Float>(
            architecture: config.decoderArchitecture(sampleSize: sampleSize), seed: config.seed, stream: "init")
        objective = DecoderObjective(decoder: decoder, maxBatch: config.batchSize, loss: config.decoder.loss)
        encoder = try LatentEncoder(config.encoder)
        optimiser = config.optimiser.make(parameterCount: decoder.parameterCount)
        gradientSettings = config.gradient
        z0Stream = RNG(seed: config.seed, stream: "z0")
        gradient = [Float](repeating: 0, count: decoder.parameterCount)
        let warm = config.persistentLatents == .warmStart
        latentTable = warm ? Matrix(rows: poolCount, cols: config.latentDim) : nil
        hasLatent = [Bool](repeating: false, count: warm ? poolCount : 0)
    }

    mutating func step(x: Matrix<Float>, positions: [Int]) throws -> StepOutcome {
        // Warm start: z₀ is drawn by the encoder's rule for every row (so the z₀ stream advances as without a
        // table, and a first epoch computes the same numbers), then a sample seen before starts at its last z*.
        var z0: Matrix<Float>? = nil
        if let table = latentTable {
            var start = encoder.initialPoint(rows: x.rows, dim: table.cols, rng: &z0Stream)
            for (row, p) in positions.enumerated() where hasLatent[p] {
                for j in 0..<table.cols { start[row, j] = table[p, j] }
            }
            z0 = start
        }
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

    var snapshot: TrainedModel { TrainedModel(method: .gfe, decoder: objective.decoder, loss: objective.loss) }
    var optimiserStates: [OptimiserState<Float>] { [optimiser.state] }
}
