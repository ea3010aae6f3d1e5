import GFECore

/// A loaded dataset: its four validated IDX files and the split rules of SPEC §1.
///
/// - mnist, fashion_mnist: the training indices 0..<50,000 are permuted by
///   `RNG(seed: seed, stream: "split").permutation(50_000)`; the first 49,992 form `train` (in that permuted
///   order), the last 8 `validation`. Training images 50,000–59,999 are `holdout`; `test` is the 10,000 test
///   images in file order.
/// - segmented_mnist: `train` is every MNIST training image with label 0–4, in file order (30,596); `test`
///   every test image with label 5–9, in file order (4,861). No validation or holdout; the seed is unused.
public struct Dataset: LoadedData {
    public static let splitPermutationSize = 50_000
    public static let validationCount = 8
    /// Version of the split rules above; part of `fingerprint`, so changing the rules changes run ids.
    public static let splitRuleVersion = "split-v1"

    public let id: DatasetID
    public let trainImages: IDXFile
    public let trainLabels: IDXFile
    public let testImages: IDXFile
    public let testLabels: IDXFile

    /// Locates, reads and validates the dataset's files (each file once per process: see `IDXCache`).
    /// Labels are read before images, so a bad labels file is reported without decoding 47 MB first.
    public static func load(_ id: DatasetID, locator: DataLocator = .standard(), cache: IDXCache = .shared) throws
        -> Dataset
    {
        let paths = try locator.locateAll(for: id)
        func read(_ f: SourceFile) throws -> IDXFile {
            try cache.file(paths[f]!, expecting: id.expectation(f), fix: id.howToGet)
        }
        let trainLabels = try read(.trainLabels)
        let testLabels = try read(.testLabels)
        let trainImages = try read(.trainImages)
        let testImages = try read(.testImages)
        return Dataset(
            id: id, trainImages: trainImages, trainLabels: trainLabels,
            testImages: testImages, testLabels: testLabels)
    }

    public var name: String { id.name }
    public var splits: [SplitName] { id.splits }
    public var sampleShape: [Int] { [IDXFile.rows, IDXFile.cols] }
    public var hasLabels: Bool { true }
    /// Pixels are bytes / 255.
    public var valueRange: ClosedRange<Float> { 0...1 }

    public var classNames: [Int: String] { id.classNames }

    /// `load` by dataset name (did-you-mean error for unknown names).
    public static func load(named name: String, locator: DataLocator = .standard()) throws -> Dataset {
        try load(DatasetID.named(name), locator: locator)
    }

    /// The file for each role.
    public func file(_ f: SourceFile) -> IDXFile {
        switch f {
        case .trainImages: return trainImages
        case .trainLabels: return trainLabels
        case .testImages: return testImages
        case .testLabels: return testLabels
        }
    }

    /// Identifies the data a run used, for run ids: dataset name, split-rule version and the SHA-256 of the
    /// four uncompressed files, e.g. `mnist/split-v1/ba891046…,65a50cbb…,0fa7898d…,ff7bcfd4…` (full hashes).
    /// The split seed is not included: it belongs to the run's own configuration.
    public var fingerprint: String {
        let hashes = SourceFile.allCases.map { file($0).sha256 }.joined(separator: ",")
        return "\(id.name)/\(Dataset.splitRuleVersion)/\(hashes)"
    }

    /// The split `name` for the run seed `seed`, limited to its first `limit` images when given
    /// (1 ≤ limit ≤ the split's size, otherwise a `DataError`).
    public func split(_ name: SplitName, seed: UInt64, limit: Int? = nil) throws -> DataSplit {
        guard id.splits.contains(name) else { throw SplitName.unknown(name.rawValue, of: self.name, has: splits) }
        var indices: [Int]
        let images: IDXFile
        let labels: IDXFile
        switch (id, name) {
        case (.segmentedMNIST, .train):
            (images, labels) = (trainImages, trainLabels)
            indices = (0..<labels.count).filter { labels.label($0) <= 4 }
        case (.segmentedMNIST, _):
            (images, labels) = (testImages, testLabels)
            indices = (0..<labels.count).filter { labels.label($0) >= 5 }
        case (_, .train), (_, .validation):
            (images, labels) = (trainImages, trainLabels)
            let permutation = Dataset.splitPermutation(seed: seed)
            let poolCount = Dataset.splitPermutationSize - Dataset.validationCount
            indices = name == .train ? Array(permutation[0..<poolCount]) : Array(permutation[poolCount...])
        case (_, .holdout):
            (images, labels) = (trainImages, trainLabels)
            indices = Array(Dataset.splitPermutationSize..<trainImages.count)
        case (_, .test):
            (images, labels) = (testImages, testLabels)
            indices = Array(0..<testImages.count)
        }
        try Dataset.apply(limit, to: &indices, split: name, of: id.name)
        return DataSplit(
            dataset: id.name, name: name, samples: SampleTable(images: images),
            labels: (0..<labels.count).map { labels.label($0) }, originalIndices: indices)
    }

    /// Keeps the first `limit` indices (1 ≤ limit ≤ their count, otherwise a `DataError`).
    static func apply(_ limit: Int?, to indices: inout [Int], split: SplitName, of dataset: String) throws {
        guard let limit else { return }
        guard limit >= 1 && limit <= indices.count else {
            throw DataError(
                .badArgument,
                "limit \(limit) for split \(split.rawValue) of \(dataset) must be between 1 and the split's "
                    + "size, \(grouped(indices.count)).")
        }
        indices.removeLast(indices.count - limit)
    }

    /// The permutation of training indices 0..<50,000 that defines train and validation for `seed`.
    public static func splitPermutation(seed: UInt64) -> [Int] {
        var rng = RNG(seed: seed, stream: "split")
        return rng.permutation(splitPermutationSize)
    }
}
