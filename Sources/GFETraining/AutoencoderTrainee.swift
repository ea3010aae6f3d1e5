import GFECore
import GFESolvers

/// The AE baseline (SPEC §6): backpropagation of L(AE(x)) = Σᵢ ℓ(D(E(xᵢ)), xᵢ) through decoder and
/// encoder, each network with its own optimiser (elementwise optimisers make that the same as one
/// optimiser over the concatenated parameters). Initialised PyTorch-style from one `RNG(seed, "init")`,
/// encoder first, then the decoder.
///
/// `semiAmortised` (SA-VAE style): the encoder's gradient is still that of L(AE(x)), but the decoder's is the
/// approximate decoder gradient at z* = `config.encoder`'s solve from z₀ = E(x) (one group per batch), so
/// the decoder is trained on refined codes and the encoder to give good starting points.
struct AutoencoderTrainee: Trainee {
    var ae: AutoencoderObjective<Float>
    var encoderOptimiser: ConfiguredOptimiser
    var decoderOptimiser: ConfiguredOptimiser
    private var encoderGradient: [Float]
    private var decoderGradient: [Float]
    private var loss: [Float]
    /// `semiAmortised`: the refining encoder and the decoder it solves against (the AE's decoder, copied in
    /// before every solve).
    private var refiningEncoder: LatentEncoder<DecoderObjective<Float>>?
    private var refiningObjective: DecoderObjective<Float>?

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
        if config.semiAmortised {
            refiningEncoder = try LatentEncoder(config.encoder)
            refiningObjective = DecoderObjective(
                decoder: decoder, maxBatch: config.batchSize, loss: config.decoder.loss)
        }
    }

    mutating func step(x: Matrix<Float>, positions: [Int]) throws -> StepOutcome {
        ae.lossAndParameterGradients(
            x: x, loss: &loss, encoderGradient: &encoderGradient, decoderGradient: &decoderGradient)
        var mean = Finite.mean(loss, x.rows)
        var solve: SolveSummary? = nil
        if refiningEncoder != nil {
            // The decoder's gradient and the reported loss are those at the refined codes z*.
            refiningObjective!.decoder = ae.decoder
            var unused = RNG(seed: 0)  // z₀ = E(x) is supplied
            let encoding = try refiningEncoder!.encode(
                objective: &refiningObjective!, x: x, layout: .oneGroup, z0: ae.encode(x), rng: &unused)
            let total = refiningObjective!.lossAndParameterGradient(
                z: encoding.z, x: x, loss: &loss, parameterGradient: &decoderGradient)
            mean = Double(total) / Double(max(x.rows, 1))
            solve = SolveSummary(encoding.statistics)
        }
        guard mean.isFinite, Finite.all(encoderGradient), Finite.all(decoderGradient) else {
            return StepOutcome(meanLoss: mean, solve: solve, finite: false)
        }
        encoderOptimiser.update(&ae.encoder.parameters, gradient: encoderGradient)
        decoderOptimiser.update(&ae.decoder.parameters, gradient: decoderGradient)
        return StepOutcome(meanLoss: mean, solve: solve, finite: true)
    }

    var snapshot: TrainedModel { TrainedModel(method: .ae, decoder: ae.decoder, encoder: ae.encoder, loss: ae.loss) }
    var optimiserStates: [OptimiserState<Float>] { [encoderOptimiser.state, decoderOptimiser.state] }
}
