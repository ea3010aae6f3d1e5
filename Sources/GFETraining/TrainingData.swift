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

    /// Loads the dataset of `config.data` and cuts the splits the config needs.
    public static func load(_ config: TrainingConfig, locator: DataLocator = .standard()) throws -> TrainingData {
        let dataset = try Dataset.load(config.data.dataset, locator: locator)
        return try cut(dataset, config)
    }

    /// Cuts the splits `config` needs from an already loaded dataset.
    public static func cut(_ dataset: Dataset, _ config: TrainingConfig) throws -> TrainingData {
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
