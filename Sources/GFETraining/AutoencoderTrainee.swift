import GFECore

/// The AE baseline (SPEC §6): backpropagation of L(AE(x)) = Σᵢ ℓ(D(E(xᵢ)), xᵢ) through decoder and
/// encoder, each network with its own optimiser (elementwise optimisers make that the same as one
/// optimiser over the concatenated parameters). Initialised PyTorch-style from one `RNG(seed, "init")`,
/// encoder first, then the decoder.
struct AutoencoderTrainee: Trainee {
    var ae: AutoencoderObjective<Float>
    var encoderOptimiser: ConfiguredOptimiser
    var decoderOptimiser: ConfiguredOptimiser
    private var encoderGradient: [Float]
    private var decoderGradient: [Float]
    private var loss: [Float]

    init(config: TrainingConfig, sampleSize: Int) throws {
        var rng = RNG(seed: config.seed, stream: "init")
        let encoder = MLP<Float>(architecture: config.encoderArchitecture(sampleSize: sampleSize), rng: &rng)
        let decoder = MLP<Float>(architecture: config.decoderArchitecture(sampleSize: sampleSize), rng: &rng)
        ae = try AutoencoderObjective(
            encoder: encoder, decoder: decoder, maxBatch: config.batchSize, loss: config.decoder.loss)
        encoderOptimiser = config.optimiser.make(parameterCount: ae.encoder.parameterCount)
        decoderOptimiser = config.optimiser.make(parameterCount: ae.decoder.parameterCount)
        encoderGradient = [Float](repeating: 0, count: ae.encoder.parameterCount)
        decoderGradient = [Float](repeating: 0, count: ae.decoder.parameterCount)
        loss = [Float](repeating: 0, count: config.batchSize)
    }

    mutating func step(x: Matrix<Float>, positions: [Int]) throws -> StepOutcome {
        ae.lossAndParameterGradients(
            x: x, loss: &loss, encoderGradient: &encoderGradient, decoderGradient: &decoderGradient)
        let mean = Finite.mean(loss, x.rows)
        guard mean.isFinite, Finite.all(encoderGradient), Finite.all(decoderGradient) else {
            return StepOutcome(meanLoss: mean, solve: nil, finite: false)
        }
        encoderOptimiser.update(&ae.encoder.parameters, gradient: encoderGradient)
        decoderOptimiser.update(&ae.decoder.parameters, gradient: decoderGradient)
        return StepOutcome(meanLoss: mean, solve: nil, finite: true)
    }

    var snapshot: TrainedModel { TrainedModel(method: .ae, decoder: ae.decoder, encoder: ae.encoder, loss: ae.loss) }
    var optimiserStates: [OptimiserState<Float>] { [encoderOptimiser.state, decoderOptimiser.state] }
}
