import Foundation
import GFECore

/// A user's dataset read from files (`FileDataSource`) and checked: the samples of the train file (and of
/// the test arrays), converted once to the model's Float values, with their labels.
///
/// Everything a run could trip on later is refused here, before anything runs (`DataError`, exit 2, naming the
/// file, the array and what is wrong): missing files or arrays, checksum mismatches, arrays of no samples or of
/// zero-size samples, test samples of another shape, labels of another length or not small non-negative
/// integers, non-finite values, and splits that do not fit the data.
public struct FileDataset: LoadedData {
    /// Version of the split rules of `FileDataSource.Split`; part of `fingerprint`.
    public static let splitRuleVersion = "file-split-v1"
    /// Labels are class numbers stored as bytes.
    public static let maxLabel = 255

    public let source: FileDataSource
    let train: SampleTable
    let trainLabels: [UInt8]?
    /// The test arrays (`testArrays` split), or nil when test is cut from `train`.
    let test: SampleTable?
    let testLabels: [UInt8]?
    public let fingerprint: String
    public let valueRange: ClosedRange<Float>

    public var name: String { source.samples.description }
    public var splits: [SplitName] { source.splits }
    public var sampleShape: [Int] { train.sampleShape }
    public var hasLabels: Bool { trainLabels != nil }
    public var classNames: [Int: String] { [:] }

    /// Reads and checks the files of `source`.
    public static func load(_ source: FileDataSource) throws -> FileDataset {
        var hashes: [String] = []
        for path in source.files {
            _ = try ArrayFile.format(path)  // missing or foreign files first: clearer than a checksum
            let digest = try Checksum.sha256(file: path)
            if let want = source.sha256[path], want.lowercased() != digest {
                throw DataError(
                    .checksumMismatch,
                    "data file \(path): SHA-256 is \(digest), but the spec's data.sha256 expects \(want.lowercased()) "
                        + "(the file changed, or the spec names another file)")
            }
            hashes.append(digest)
        }
        let (train, trainRange) = try samples(source.samples, scale: source.scale)
        let trainLabels = try source.labels.map { try labels($0, count: train.count, of: source.samples) }
        var test: SampleTable?
        var testLabels: [UInt8]?
        var range = trainRange
        if let reference = source.testSamples {
            let (t, testRange) = try samples(reference, scale: source.scale)
            guard t.sampleShape == train.sampleShape else {
                throw DataError(
                    .badShape,
                    "data: test samples \(reference) have shape \(t.sampleShape) each, but the training samples "
                        + "\(source.samples) have \(train.sampleShape); they must match")
            }
            test = t
            testLabels = try source.testLabels.map { try labels($0, count: t.count, of: reference) }
            if (trainLabels == nil) != (testLabels == nil) {
                throw DataError(
                    .missingArray,
                    "data: labels are given for the \(trainLabels == nil ? "test" : "training") samples only; give "
                        + "'labels' and 'testLabels' both, or neither")
            }
            range = min(range.lowerBound, testRange.lowerBound)...max(range.upperBound, testRange.upperBound)
        }
        let dataset = FileDataset(
            source: source, train: train, trainLabels: trainLabels, test: test, testLabels: testLabels,
            fingerprint: "files/\(splitRuleVersion)/" + hashes.joined(separator: ","), valueRange: range)
        try dataset.checkSplit()
        return dataset
    }

    /// The split `name` (`FileDataSource.Split` says how; validation is the last `validationCount` of the
    /// train pool).
    public func split(_ name: SplitName, seed: UInt64, limit: Int? = nil) throws -> DataSplit {
        guard splits.contains(name) else { throw SplitName.unknown(name.rawValue, of: self.name, has: splits) }
        var (pool, testIndices) = poolAndTest(seed: seed)
        var indices: [Int]
        switch name {
        case .test:
            indices = testIndices
        case .validation:
            indices = Array(pool.suffix(source.validationCount))
        default:
            pool.removeLast(source.validationCount)
            indices = pool
        }
        try Dataset.apply(limit, to: &indices, split: name, of: self.name)
        let fromTest = name == .test && test != nil
        return DataSplit(
            dataset: self.name, name: name, samples: fromTest ? test! : train,
            labels: fromTest ? testLabels : trainLabels, originalIndices: indices)
    }

    /// The train pool (validation included) and the test indices.
    func poolAndTest(seed: UInt64) -> (pool: [Int], test: [Int]) {
        let n = train.count
        switch source.split {
        case .testArrays:
            return (Array(0..<n), Array(0..<(test?.count ?? 0)))
        case .ranges(let trainRange, let testRange):
            return (Array(trainRange), Array(testRange))
        case .testFraction(let fraction):
            var rng = RNG(seed: seed, stream: "split")
            let permutation = rng.permutation(n)
            let testCount = Self.testCount(fraction, of: n)
            return (Array(permutation[..<(n - testCount)]), permutation[(n - testCount)...].sorted())
        }
    }

    static func testCount(_ fraction: Double, of n: Int) -> Int { max(1, Int((fraction * Double(n)).rounded())) }

    /// The split fits the data: ranges inside the samples and apart, a test set and a train pool of at least
    /// one sample each after validation.
    func checkSplit() throws {
        let n = train.count
        func bad(_ text: String) -> DataError { DataError(.badArgument, "data: \(text)") }
        var poolCount = n
        switch source.split {
        case .testArrays:
            guard source.testSamples != nil else {
                throw bad("the split takes test samples from 'testSamples'; name them")
            }
        case .ranges(let trainRange, let testRange):
            for (what, r) in [("train", trainRange), ("test", testRange)] where r.isEmpty || r.upperBound > n {
                throw bad(
                    "split.\(what) is [\(r.lowerBound), \(r.upperBound)), but \(source.samples) holds \(n) samples: "
                        + "ranges must be non-empty and within [0, \(n))")
            }
            if trainRange.overlaps(testRange) {
                throw bad(
                    "split.train [\(trainRange.lowerBound), \(trainRange.upperBound)) and split.test "
                        + "[\(testRange.lowerBound), \(testRange.upperBound)) overlap; the test samples must not be trained on"
                )
            }
            poolCount = trainRange.count
        case .testFraction(let fraction):
            poolCount = n - Self.testCount(fraction, of: n)
        }
        guard poolCount - source.validationCount >= 1 else {
            throw bad(
                "\(source.samples) holds \(n) samples; the split leaves \(poolCount) for training, which must be more "
                    + "than the \(source.validationCount) validation samples")
        }
    }

    // MARK: - Reading arrays

    /// The samples of `reference` as the model's values (value / scale, checked finite) and their range.
    static func samples(_ reference: ArrayReference, scale: Double) throws -> (
        table: SampleTable, range: ClosedRange<Float>
    ) {
        let array = try ArrayFile.read(reference)
        guard array.shape.count >= 2 else {
            throw DataError(
                .badShape,
                "data: \(reference) has shape \(array.shape); samples need at least two dimensions, [N, …] "
                    + "(reshape a vector of N numbers to [N, 1])")
        }
        guard array.shape[0] >= 1 else {
            throw DataError(.badShape, "data: \(reference) holds no samples (shape \(array.shape))")
        }
        guard array.shape.dropFirst().allSatisfy({ $0 >= 1 }) else {
            throw DataError(.badShape, "data: \(reference) has samples of zero size (shape \(array.shape))")
        }
        let integer = array.elementType.isInteger
        let divisor = Float(scale)
        var values = [Float](repeating: 0, count: array.values.count)
        var (low, high) = (Float.infinity, -Float.infinity)
        for (i, raw) in array.values.enumerated() {
            // Integers divide in Float, as PyTorch's ToTensor does for bytes (byte / 255 exactly as MNIST).
            let v = integer && Double(divisor) == scale ? Float(raw) / divisor : Float(raw / scale)
            guard v.isFinite else {
                throw DataError(
                    .badValues,
                    "data: \(reference): value \(raw) at \(position(i, shape: array.shape)) is not finite"
                        + (raw.isFinite ? " after dividing by the scale \(scale)" : "") + "; data must be finite")
            }
            values[i] = v
            (low, high) = (min(low, v), max(high, v))
        }
        return (SampleTable(values: values, sampleShape: Array(array.shape.dropFirst())), low...high)
    }

    /// The labels of `reference`: one small non-negative integer per sample of `samples` (`count`).
    static func labels(_ reference: ArrayReference, count: Int, of samples: ArrayReference) throws -> [UInt8] {
        let array = try ArrayFile.read(reference)
        guard array.shape.count == 1 || (array.shape.count == 2 && array.shape[1] == 1) else {
            throw DataError(
                .badShape, "data: labels \(reference) have shape \(array.shape); labels must be [N] or [N, 1]")
        }
        guard array.shape[0] == count else {
            throw DataError(
                .wrongCount,
                "data: labels \(reference) hold \(array.shape[0]) labels, but \(samples) holds \(count) samples; "
                    + "they must be as many")
        }
        return try array.values.enumerated().map { i, v in
            guard v >= 0 && v <= Double(maxLabel) && v == v.rounded() else {
                throw DataError(
                    .badLabel,
                    "data: labels \(reference): label \(v) at index \(i) is not a class number from 0 to \(maxLabel)")
            }
            return UInt8(v)
        }
    }

    /// `[i, j, …]` of flat index `flat` in an array of `shape`.
    static func position(_ flat: Int, shape: [Int]) -> String {
        var rest = flat
        var index = [Int](repeating: 0, count: shape.count)
        for d in shape.indices.reversed() {
            index[d] = rest % shape[d]
            rest /= shape[d]
        }
        return "[" + index.map(String.init).joined(separator: ", ") + "]"
    }
}

/// Process-wide cache of loaded `FileDataset`s, keyed by the source and the size and modification time of its
/// files: planning, training and figures of one process read a user's files once, and a file that changes is
/// read again.
public final class FileDatasetCache: @unchecked Sendable {
    public static let shared = FileDatasetCache()

    private struct Key: Hashable {
        let source: FileDataSource
        let stamps: [String]
    }

    private let lock = NSLock()
    private var loaded: [Key: FileDataset] = [:]

    public func dataset(_ source: FileDataSource) throws -> FileDataset {
        lock.lock()
        defer { lock.unlock() }
        let stamps = source.files.map { path -> String in
            var info = stat()
            guard stat(path, &info) == 0 else { return path }
            return "\(path) \(info.st_size) \(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"
        }
        let key = Key(source: source, stamps: stamps)
        if let hit = loaded[key] { return hit }
        let dataset = try FileDataset.load(source)
        loaded[key] = dataset
        return dataset
    }
}
