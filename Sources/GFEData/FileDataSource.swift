/// One array of a user's data file: the file, and for HDF5 and `.npz` the array inside it.
public struct ArrayReference: Hashable, Sendable, CustomStringConvertible {
    /// The path as the spec writes it (relative paths are relative to the current directory).
    public var path: String
    /// The HDF5 dataset path (`/x`, `train/images`) or `.npz` array name; nil for `.npy` and IDX files, or
    /// an `.npz` holding a single array.
    public var array: String?

    public init(path: String, array: String? = nil) {
        self.path = path
        self.array = array
    }

    public var description: String { array.map { "\(path):\($0)" } ?? path }
}

/// A user's dataset as a spec declares it: which arrays hold samples and labels, how they split, and how
/// values map to the model. `FileDataset.load` reads and checks it.
public struct FileDataSource: Hashable, Sendable {
    /// How the samples divide into train and test.
    public enum Split: Hashable, Sendable {
        /// Test samples come from `testSamples`; the train pool is every sample of `samples`, in file order.
        case testArrays
        /// Index ranges of `samples` (in file order): train pool and test, which must not overlap.
        case ranges(train: Range<Int>, test: Range<Int>)
        /// A permutation of `samples` drawn from the run seed (stream "split"): its last `fraction` (rounded,
        /// at least one) form the test set, in file order; the rest is the train pool, in permuted order.
        case testFraction(Double)
    }

    public var samples: ArrayReference
    public var labels: ArrayReference?
    /// The test samples and labels when `split` is `testArrays`.
    public var testSamples: ArrayReference?
    public var testLabels: ArrayReference?
    public var split: Split
    /// Samples taken from the end of the train pool to form a validation set (0: none).
    public var validationCount: Int
    /// Every value is divided by it (255 for bytes that should lie in [0, 1]); 1 keeps values as they are.
    public var scale: Double
    /// Expected SHA-256 (lowercase hex) of files, keyed by their path as written.
    public var sha256: [String: String]

    public init(
        samples: ArrayReference, labels: ArrayReference? = nil, testSamples: ArrayReference? = nil,
        testLabels: ArrayReference? = nil, split: Split, validationCount: Int = 0, scale: Double = 1,
        sha256: [String: String] = [:]
    ) {
        self.samples = samples
        self.labels = labels
        self.testSamples = testSamples
        self.testLabels = testLabels
        self.split = split
        self.validationCount = validationCount
        self.scale = scale
        self.sha256 = sha256
    }

    /// The splits the data has.
    public var splits: [SplitName] { validationCount > 0 ? [.train, .validation, .test] : [.train, .test] }

    /// Every array read, in order: samples, labels, test samples, test labels.
    public var arrays: [ArrayReference] { [samples, labels, testSamples, testLabels].compactMap { $0 } }

    /// The distinct files read, in first-use order.
    public var files: [String] {
        var seen = Set<String>()
        return arrays.map(\.path).filter { seen.insert($0).inserted }
    }
}
