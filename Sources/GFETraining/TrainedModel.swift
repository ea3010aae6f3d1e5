import GFECore
import GFESolvers

/// A model's parameters at some point of training: the decoder, and for an AE also its encoder.
public struct TrainedModel: Sendable, Equatable {
    public var method: TrainingConfig.Method
    public var decoder: MLP<Float>
    /// The AE's encoder (nil for GFE, whose encoder is a solver, not a network).
    public var encoder: MLP<Float>?
    /// What the decoder's outputs mean (the loss it was trained and is evaluated with).
    public var loss: ReconstructionLoss

    public init(
        method: TrainingConfig.Method, decoder: MLP<Float>, encoder: MLP<Float>? = nil,
        loss: ReconstructionLoss = .crossEntropyOnLogits
    ) {
        self.method = method
        self.decoder = decoder
        self.encoder = encoder
        self.loss = loss
    }

    /// Runs one of SPEC §7's evaluations on `images` (N × P, in order): `gfe` and `aeDecoderAMD` encode
    /// batches of `batchSize` with `encoder` through the decoder (z₀ by `start`); `ae` evaluates AE(x);
    /// `aeRefined` encodes with `encoder` from z₀ = E(x). `progress` hears the images done (for `aeRefined`,
    /// of the refining solves).
    public func evaluate(
        _ kind: EvaluationKind, images: Matrix<Float>, batchSize: Int, encoder settings: EncoderSettings,
        start: EvaluationStart, resources: EvaluationResources = EvaluationResources(),
        progress: ((Int) -> Void)? = nil
    ) throws -> EvaluationResult {
        switch kind {
        case .gfe, .aeDecoderAMD:
            guard kind.method == method else {
                throw GFEError.badInput(
                    "evaluation '\(kind.commandLineName)' needs a model trained by "
                        + "'\(kind.method.rawValue)', this one is '\(method.rawValue)'")
            }
            return try Evaluator.encode(
                decoder: decoder, loss: loss, images: images, batchSize: batchSize, encoder: settings,
                start: start, resources: resources, kind: kind, progress: progress)
        case .ae, .aeRefined:
            guard let encoder else {
                throw GFEError.badInput(
                    "evaluation '\(kind.commandLineName)' needs an autoencoder (encoder and decoder); this model has "
                        + "no encoder")
            }
            let codes = try Evaluator.autoencoder(
                encoder: encoder, decoder: decoder, loss: loss, images: images, resources: resources,
                progress: kind == .ae ? progress : nil)
            guard kind == .aeRefined else { return codes }
            guard settings.initialPoint != nil else {
                throw GFEError.badInput(
                    "evaluation 'ae-refined' starts the encoder at the AE's codes, and the fixed-grid encoder always "
                        + "starts at z = 0; use AMD, one step, adam or gd")
            }
            var refined = try Evaluator.encode(
                decoder: decoder, loss: loss, images: images, batchSize: batchSize, encoder: settings,
                start: .given(codes.z), resources: resources, kind: .aeRefined, progress: progress)
            // The cost includes the encoder's pass that gave z₀.
            refined.wallSeconds += codes.wallSeconds
            refined.cpuSeconds += codes.cpuSeconds
            refined.forwardPasses += 1
            return refined
        }
    }
}

extension TrainedModel: CustomReflectable {
    /// A summary instead of 700,000 parameters, for debuggers and test-failure messages.
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "method": method.rawValue, "decoder": decoder.architecture.sizes,
                "encoder": encoder?.architecture.sizes as Any
            ], displayStyle: .struct)
    }
}
