import Foundation
import GFECore
import GFEData
import GFESolvers

/// Everything that determines a training run's numbers (SPEC §1–§7): a clean value type that the JSON
/// experiment specs embed, with SPEC defaults for every absent field.
///
///     {"method": "gfe", "latentDim": 20, "encoder": {"method": "amd", "preset": "official"},
///      "gradient": {"mode": "approximate"}, "optimiser": {"method": "rmsprop", "lr": 5e-4},
///      "batchSize": 16, "budget": {"imagesSeen": 5760},
///      "checkpoints": {"imagesSeen": [480, 960, 1920, 3840, 5760]},
///      "validation": {"every": 10}, "seed": 2020, "data": {"dataset": "mnist"}}
///
/// Decoding is strict: unknown fields are errors naming the field with a did-you-mean suggestion; wrong
/// types and out-of-range values name the field and what is allowed (`GFEError.badInput`, exit 2).
/// Encoding writes every field resolved (defaults filled in), so a stored config reads back identically.
/// Runtime resources (threads, chunk sizes) are not part of it: they never change a number.
public struct TrainingConfig: Sendable, Equatable, SettingsFields {
    public enum Method: String, SettingsChoice {
        /// Gradient flow encoding: a decoder trained on latents found by the encoder.
        case gfe
        /// The autoencoder baseline (SPEC §6).
        case ae
    }

    public var method: Method
    /// d, the latent dimension (SPEC §2: 20).
    public var latentDim = 20
    /// The decoder's hidden widths, activation and outputs (and so the loss); the paper's by default.
    public var decoder = DecoderSettings()
    /// The encoder of a GFE model, for training and evaluation. For an AE it is used only by the
    /// `aeDecoderAMD` evaluation (default: AMD, official preset).
    public var encoder: EncoderSettings = .amd(.official)
    /// GFE only: a GLO / DeepSDF auto-decoder style table of each training sample's latent, kept between
    /// epochs (`PersistentLatents`); `none`: every solve starts by the encoder's rule.
    public var persistentLatents: PersistentLatents = .none
    /// `persistentLatents: joint`: Adam's learning rate on the table's latents (DeepSDF's 1e-3).
    public var latentLearningRate = defaultLatentLearningRate
    public static let defaultLatentLearningRate = 1e-3
    /// `persistentLatents: joint`: λ of the L2 prior λ‖z‖² added to each training sample's loss (DeepSDF's
    /// code regularisation; 0: none). It shapes the latents only, not the decoder's gradient.
    public var latentPrior = 0.0
    /// AE only: semi-amortised training (SA-VAE style): the encoder learns from D(E(x)) as usual, the decoder
    /// from D(z*) where z* is `encoder`'s solve started at E(x).
    public var semiAmortised = false
    /// How the decoder gradient is formed (SPEC §5; GFE only, default approximate).
    public var gradient: DecoderGradientSettings = DecoderGradientSettings()
    public var optimiser: OptimiserSettings = .rmsprop
    /// B, the minibatch size (SPEC §6: 16).
    public var batchSize = 16
    /// SPEC §6 defaults: GFE 1 epoch, AE 12 epochs.
    public var budget: TrainingBudget
    public var checkpoints = CheckpointPlan()
    /// nil: no validation curve.
    public var validation: ValidationSettings?
    /// Seeds every random draw: streams "split", "init", "shuffle", "z0" and "eval-z0" (default 2020,
    /// the authors' seed).
    public var seed: UInt64 = 2020
    public var data = DataSettings()

    public init(method: Method = .gfe) {
        self.method = method
        budget = Self.defaultBudget(method)
    }

    public static func defaultBudget(_ method: Method) -> TrainingBudget {
        method == .gfe ? .epochs(1) : .epochs(12)
    }

    /// The first words of every message about a training configuration's fields.
    public static let messageSubject = "training config"

    public static var settingsName: String { messageSubject }

    public static var fields: [SettingsField<TrainingConfig>] {
        [
            .value("method", \.method), .value("latentDim", \.latentDim, .within(1...10_000)),
            .nested("decoder", \.decoder, omittedWhen: DecoderSettings()), .nested("encoder", \.encoder),
            .nested("gradient", \.gradient),
            .value("persistentLatents", \.persistentLatents, omittedWhen: PersistentLatents.none),
            .value("latentLearningRate", \.latentLearningRate, .positive, omittedWhen: Self.defaultLatentLearningRate),
            .value("latentPrior", \.latentPrior, .nonNegative, omittedWhen: 0),
            .value("semiAmortised", \.semiAmortised, omittedWhen: false),
            .nested("optimiser", \.optimiser),
            .value("batchSize", \.batchSize, .within(1...60_000, " (the largest train pool)")),
            .nested("budget", \.budget),
            .nested("checkpoints", \.checkpoints), .nested("validation", \.validation), .value("seed", \.seed),
            .nested("data", \.data)
        ]
    }

    /// The most iterations a run may take (about two weeks at a millisecond each): a budget beyond it is a
    /// mistake, and every count derived from it stays far within Int.
    public static let maxIterations = 1_000_000_000

    /// Checks what the field decoders cannot see alone: combinations of fields, and the sizes the dataset's
    /// splits give (limits, the budget's iterations, checkpoints within the budget).
    public func validate() throws(GFEError) {
        func bad(_ s: String) -> GFEError { .badInput("\(Self.messageSubject): " + s) }
        try checkRanges()
        try checkSizes()
        try encoder.validate()
        for kind in checkpoints.evaluations(for: method) where kind.method != method {
            throw bad(
                "'checkpoints.evaluations' has '\(kind.rawValue)', which evaluates a model trained by '\(kind.method.rawValue)'; "
                    + "a '\(method.rawValue)' run allows "
                    + EvaluationKind.allCases.filter { $0.method == method }
                    .map { "'\($0.rawValue)'" }.joined(separator: ", "))
        }
        if persistentLatents != .none {
            guard method == .gfe else {
                throw bad("'persistentLatents' applies to method 'gfe' only (an AE's codes come from its encoder)")
            }
            try requireStartingPoint("'persistentLatents' starts solves at stored latents")
            if persistentLatents == .joint && gradient.mode != .approximate {
                throw bad(
                    "'persistentLatents' 'joint' optimises the latents with the decoder, without a solve to "
                        + "differentiate: the decoder gradient is the approximate one; remove 'gradient'")
            }
        }
        if persistentLatents != .joint && (latentLearningRate != Self.defaultLatentLearningRate || latentPrior != 0) {
            throw bad("'latentLearningRate' and 'latentPrior' apply to 'persistentLatents' 'joint' only")
        }
        if semiAmortised {
            guard method == .ae else {
                throw bad("'semiAmortised' applies to method 'ae' only (it refines an encoder's codes)")
            }
            try requireStartingPoint("'semiAmortised' starts the encoder's solve at E(x)")
        }
        if method == .gfe {
            try gradient.validate(encoder: encoder)
        } else if gradient != DecoderGradientSettings() {
            throw bad("'gradient' applies to method 'gfe' only (an AE is trained by plain backpropagation); remove it")
        }
        let source = data.source
        let splits = source.splits
        let noValidation =
            source.fileSource != nil ? "; set 'data.validationCount' for one" : "; remove 'validation'"
        if validation != nil && !splits.contains(.validation) {
            throw bad("'validation' needs a validation set, and \(source.name) has none\(noValidation)")
        }
        if validation?.holdout == true && !splits.contains(.holdout) {
            throw bad("'validation.holdout' needs a holdout set, and \(source.name) has none")
        }
        if checkpoints.split == "holdout" && !splits.contains(.holdout) {
            throw bad("'checkpoints.split' is 'holdout', and \(source.name) has no holdout set; use 'test'")
        }
    }

    /// A feature that hands the encoder its z₀ needs an encoder that takes one (not the fixed grid).
    private func requireStartingPoint(_ feature: String) throws(GFEError) {
        guard encoder.initialPoint == nil else { return }
        throw .badInput(
            "\(Self.messageSubject): \(feature); the fixed-grid encoder always starts at z = 0: use AMD, one step, "
                + "adam or gd")
    }

    /// The decoder this configuration trains on samples of `sampleSize` values.
    public func decoderArchitecture(sampleSize: Int) -> Architecture {
        decoder.decoder(latent: latentDim, samples: sampleSize)
    }

    /// The AE's encoder this configuration trains on samples of `sampleSize` values.
    public func encoderArchitecture(sampleSize: Int) -> Architecture {
        decoder.encoder(latent: latentDim, samples: sampleSize)
    }

    /// The number of training samples a run draws from (`data.trainLimit` or the whole train split), when
    /// known without reading a file (built-in datasets).
    public var trainPoolCount: Int? {
        guard case .builtin(let dataset) = data.source else { return nil }
        return dataset.size(of: .train).map { min(data.trainLimit ?? $0, $0) }
    }

    /// The number of iterations the budget takes on the train pool.
    public var plannedIterations: Int? {
        trainPoolCount.map { budget.iterations(poolCount: $0, batchSize: batchSize) }
    }

    /// Limits within their splits, a budget of at most `maxIterations`, and checkpoints within the budget.
    /// Built-in datasets' split sizes are known before any file is read; a user's files are checked once
    /// read (`checkSizes(of:)`).
    func checkSizes() throws(GFEError) {
        guard case .builtin(let dataset) = data.source else { return }
        try checkSizes(name: dataset.name) { dataset.size(of: $0) }
    }

    /// `checkSizes` against loaded data.
    public func checkSizes(of loaded: any LoadedData) throws {
        var sizes: [SplitName: Int] = [:]
        for split in loaded.splits { sizes[split] = try loaded.split(split, seed: seed, limit: nil).count }
        try checkSizes(name: loaded.name) { sizes[$0] }
    }

    private func checkSizes(name: String, size: (SplitName) -> Int?) throws(GFEError) {
        func bad(_ s: String) -> GFEError { .badInput("\(Self.messageSubject): " + s) }
        func limit(_ value: Int?, _ field: String, _ split: SplitName) throws(GFEError) {
            guard let value, let size = size(split), value > size else { return }
            throw bad(
                "'\(field)' is \(value); \(name)'s \(split.rawValue) split has \(size) samples, so it must "
                    + "be from 1 to \(size) (or absent for all of them)")
        }
        try limit(data.trainLimit, "data.trainLimit", .train)
        try limit(data.testLimit, "data.testLimit", checkpoints.split == "holdout" ? .holdout : .test)
        try limit(validation?.holdoutLimit, "validation.holdoutLimit", .holdout)
        guard let trainSize = size(.train) else { return }
        let pool = min(data.trainLimit ?? trainSize, trainSize)
        let total = budget.iterations(poolCount: pool, batchSize: batchSize)
        guard total <= Self.maxIterations else {
            throw bad(
                "the budget \(budget.field.name) = \(budget.field.count) takes \(total) iterations of \(batchSize) "
                    + "images from \(pool) training images, more than \(Self.maxIterations); lower it")
        }
        let finalImages = Trainer.imagesSeen(afterIterations: total, poolCount: pool, batchSize: batchSize)
        if let beyond = checkpoints.imagesSeen.first(where: { $0 > finalImages }) {
            throw bad(
                "checkpoint at \(beyond) images seen is beyond the budget, which ends at \(finalImages) images "
                    + "(\(total) iterations of \(batchSize) from \(pool) training images); raise the budget or "
                    + "drop the checkpoint")
        }
    }

    public init(defaultsFor r: SettingsReader) throws {
        self.init(method: try r.choice("method", Method.self) ?? .gfe)
    }

    public func checkDecoded(_ r: SettingsReader) throws { try validate() }

    /// Decodes a config from JSON text; malformed JSON is a `GFEError.badInput` saying where.
    public static func decode(json: Data, source: String = messageSubject) throws -> TrainingConfig {
        do {
            return try JSONDecoder().decode(TrainingConfig.self, from: json)
        } catch let error as ReportableError {
            throw error
        } catch let DecodingError.dataCorrupted(context) {
            let detail = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
            throw GFEError.badInput("\(source): not valid JSON (\(detail ?? context.debugDescription))")
        } catch {
            throw GFEError.badInput("\(source): \(error)")
        }
    }

    /// The config as JSON with sorted keys (every field resolved).
    public func json(pretty: Bool = false) throws -> String {
        let e = JSONEncoder()
        e.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted] : [.sortedKeys]
        return String(decoding: try e.encode(self), as: UTF8.self)
    }
}

/// How a GFE run treats the latents of its training samples between epochs.
public enum PersistentLatents: String, SettingsChoice {
    /// No table: every solve starts by the encoder's rule.
    case none
    /// Each sample's next solve starts at its last z* (its first, by the encoder's rule).
    case warmStart
    /// No solve in training: each sample's latent (first drawn by the encoder's z₀ rule) is a parameter,
    /// updated by its own Adam step (`latentLearningRate`, `latentPrior`) from the same forward and backward
    /// pass that gives the decoder its gradient, as GLO and DeepSDF's auto-decoder train. The encoder encodes
    /// the test images.
    case joint
}

extension SettingsReader {
    /// The strict reader of one object of a training configuration: messages start "training config" and
    /// name fields by their dotted path from the configuration's root.
    init(trainingConfig decoder: Decoder, allowed: [String]?) throws {
        try self.init(decoder, what: TrainingConfig.messageSubject, allowed: allowed)
    }
}
