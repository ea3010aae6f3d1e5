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

    init(config: TrainingConfig, sampleSize: Int) throws {
        let decoder = MLP<Float>(
            architecture: config.decoderArchitecture(sampleSize: sampleSize), seed: config.seed, stream: "init")
        objective = DecoderObjective(decoder: decoder, maxBatch: config.batchSize, loss: config.decoder.loss)
        encoder = try LatentEncoder(config.encoder)
        optimiser = config.optimiser.make(parameterCount: decoder.parameterCount)
        gradientSettings = config.gradient
        z0Stream = RNG(seed: config.seed, stream: "z0")
        gradient = [Float](repeating: 0, count: decoder.parameterCount)
    }

    mutating func step(x: Matrix<Float>) throws -> StepOutcome {
        let r = try DecoderGradient.encodeAndGradient(
            settings: gradientSettings, encoder: &encoder, objective: &objective, x: x, layout: .oneGroup, z0: nil,
            rng: &z0Stream, parameterGradient: &gradient)
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
