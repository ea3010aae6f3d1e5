/// Data loaded and ready to be cut into splits: a built-in dataset (`Dataset`) or a user's files
/// (`FileDataset`). Training, evaluation and figures see only this.
public protocol LoadedData: Sendable {
    /// The name reports show: `mnist`, or the user's samples file.
    var name: String { get }
    /// Identifies the data for run ids: the split rules and the SHA-256 of every file read.
    var fingerprint: String { get }
    /// The splits this data has, in the order reports list them.
    var splits: [SplitName] { get }
    /// The shape of one sample ([28, 28] for MNIST); its product is the decoder's output size.
    var sampleShape: [Int] { get }
    /// Whether samples have class labels (for t-SNE colours).
    var hasLabels: Bool { get }
    /// The smallest and largest value of any sample, as the model sees it.
    var valueRange: ClosedRange<Float> { get }
    /// Legend names of labels (empty: the label numbers).
    var classNames: [Int: String] { get }
    /// The split `name` for the run seed `seed`, limited to its first `limit` samples when given
    /// (1 ≤ limit ≤ the split's size, otherwise a `DataError`).
    func split(_ name: SplitName, seed: UInt64, limit: Int?) throws -> DataSplit
}

extension LoadedData {
    /// The values per sample.
    public var sampleSize: Int { sampleShape.reduce(1, *) }

    /// The whole split `name`.
    public func split(_ name: SplitName, seed: UInt64) throws -> DataSplit {
        try split(name, seed: seed, limit: nil)
    }

    /// The split called `name`; a name this data lacks is a `DataError` listing the valid ones.
    public func split(named name: String, seed: UInt64, limit: Int? = nil) throws -> DataSplit {
        guard let split = SplitName(rawValue: name), splits.contains(split) else {
            throw SplitName.unknown(name, of: self.name, has: splits)
        }
        return try self.split(split, seed: seed, limit: limit)
    }

    /// Whether samples look like images (H×W, or H×W×C with 1, 3 or 4 channels), which are drawn as
    /// image grids; other samples are drawn as curves or points.
    public var isImageShaped: Bool {
        sampleShape.count == 2 || (sampleShape.count == 3 && [1, 3, 4].contains(sampleShape[2]))
    }
}

/// Where a configuration's data come from.
public enum DataSource: Hashable, Sendable {
    /// One of the datasets of SPEC §1.
    case builtin(DatasetID)
    /// The user's array files.
    case files(FileDataSource)

    /// The name reports show.
    public var name: String {
        switch self {
        case .builtin(let id): id.name
        case .files(let f): f.samples.description
        }
    }

    /// The splits, known without reading a file.
    public var splits: [SplitName] {
        switch self {
        case .builtin(let id): id.splits
        case .files(let f): f.splits
        }
    }

    /// Legend names of labels (a user's labels show their numbers).
    public var classNames: [Int: String] {
        if case .builtin(let id) = self { return id.classNames }
        return [:]
    }

    /// Reads and checks the data (once per process and unchanged files; see `IDXCache`, `FileDatasetCache`).
    public func load(locator: DataLocator = .standard()) throws -> any LoadedData {
        switch self {
        case .builtin(let id): try Dataset.load(id, locator: locator)
        case .files(let f): try FileDatasetCache.shared.dataset(f)
        }
    }
}
