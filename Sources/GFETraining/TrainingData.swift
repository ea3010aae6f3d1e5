import GFECore
import GFEData

/// The splits a training run reads (SPEC §1), cut for the run's seed and limits.
public struct TrainingData: Sendable {
    /// The train pool (first `trainLimit` images in the seeded order).
    public var train: DataSplit
    /// The 8 validation images, when the config asks for validation.
    public var validation: DataSplit?
    /// The holdout set (first `holdoutLimit` images), when asked for.
    public var holdout: DataSplit?
    /// The split the checkpoint evaluations use (test or holdout; first `testLimit` images, file order).
    public var evaluation: DataSplit

    public init(train: DataSplit, validation: DataSplit?, holdout: DataSplit?, evaluation: DataSplit) {
        self.train = train
        self.validation = validation
        self.holdout = holdout
        self.evaluation = evaluation
    }

    /// The values per sample (the decoder's outputs, the AE encoder's inputs).
    public var sampleSize: Int { train.sampleSize }

    /// Loads the data of `config.data` and cuts the splits the config needs.
    public static func load(_ config: TrainingConfig, locator: DataLocator = .standard()) throws -> TrainingData {
        try cut(try config.data.source.load(locator: locator), config)
    }

    /// Cuts the splits `config` needs from already loaded data, after checking that the data suit the
    /// config: sizes within the limits and the budget, values in [0, 1] for the ε-BCE loss.
    public static func cut(_ dataset: any LoadedData, _ config: TrainingConfig) throws -> TrainingData {
        try config.checkSizes(of: dataset)
        if config.decoder.loss == .crossEntropyOnLogits
            && !(dataset.valueRange.lowerBound >= 0 && dataset.valueRange.upperBound <= 1)
        {
            let r = dataset.valueRange
            throw DataError(
                .badValues,
                "data: \(dataset.name) has values from \(r.lowerBound) to \(r.upperBound), but the decoder's "
                    + "ε-BCE loss (\"output\": \"logits\", the paper's) needs targets in [0, 1]: set 'data.scale' "
                    + "(e.g. 255 for bytes), or use \"decoder\": {\"output\": \"identity\"} for the mean squared error")
        }
        let seed = config.seed
        let train = try dataset.split(.train, seed: seed, limit: config.data.trainLimit)
        let validation = config.validation == nil ? nil : try dataset.split(.validation, seed: seed)
        let holdout =
            config.validation?.holdout == true
            ? try dataset.split(.holdout, seed: seed, limit: config.validation?.holdoutLimit) : nil
        let evaluationSplit: SplitName = config.checkpoints.split == "holdout" ? .holdout : .test
        let evaluation = try dataset.split(evaluationSplit, seed: seed, limit: config.data.testLimit)
        return TrainingData(train: train, validation: validation, holdout: holdout, evaluation: evaluation)
    }
}
