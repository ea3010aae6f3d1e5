import GFECore

/// One split of a dataset: an indexable set of samples, with labels when the data have them.
///
/// Position p (0..<count) is the sample at `originalIndices[p]` of its table (`samples`: the training or
/// test file of a built-in dataset, or a user's array). `gather` copies the rows a batch needs into a matrix
/// of `sampleSize` columns (images flattened row by row; MNIST pixel value = byte / 255, see `SampleTable`).
public struct DataSplit: Sendable {
    /// The values per MNIST image (28 × 28), the sample size of every built-in dataset.
    public static let pixelCount = IDXFile.rows * IDXFile.cols

    /// The dataset's name (a built-in name, or the user's file).
    public let dataset: String
    public let name: SplitName
    /// Index of each sample in `samples` (for built-in datasets: the training file for
    /// train/validation/holdout and segmented train; the test file for test).
    public let originalIndices: [Int]
    /// Label of each sample; nil when the data have none.
    public let labels: [UInt8]?
    /// The samples the indices point into.
    public let samples: SampleTable

    /// - Parameter labels: the label of every sample of `samples` (not only the split's), or nil.
    init(dataset: String, name: SplitName, samples: SampleTable, labels: [UInt8]?, originalIndices: [Int]) {
        self.dataset = dataset
        self.name = name
        self.samples = samples
        self.originalIndices = originalIndices
        self.labels = labels.map { all in originalIndices.map { all[$0] } }
    }

    public var count: Int { originalIndices.count }
    /// The values per sample (the matrix columns `gather` fills).
    public var sampleSize: Int { samples.sampleSize }
    public var sampleShape: [Int] { samples.sampleShape }

    /// Number of samples with each label 0…(largest label); empty without labels.
    public var labelCounts: [Int] {
        guard let labels else { return [] }
        var counts = [Int](repeating: 0, count: max(10, Int(labels.max() ?? 0) + 1))
        for l in labels { counts[Int(l)] += 1 }
        return counts
    }

    /// Writes the samples at `positions` (split positions, in the given order) into the rows of `matrix`,
    /// which must have `sampleSize` columns; its row count is set to `positions.count` without reallocating
    /// when the storage is large enough (a preallocated batch workspace).
    public func gather(_ positions: [Int], into matrix: inout Matrix<Float>) {
        positions.withUnsafeBufferPointer { p in fill(rows: p.count, into: &matrix) { p[$0] } }
    }

    /// Writes the samples at positions `range` into `matrix` (see `gather(_:into:)`); for in-order evaluation.
    public func gather(_ range: Range<Int>, into matrix: inout Matrix<Float>) {
        fill(rows: range.count, into: &matrix) { range.lowerBound + $0 }
    }

    /// Generic version (e.g. Double for exactness tests): MNIST pixel = T(byte) / 255 in `T`'s arithmetic.
    public func gather<T: Scalar>(_ positions: [Int], into matrix: inout Matrix<T>) {
        precondition(matrix.cols == sampleSize, "gather: matrix has \(matrix.cols) columns, need \(sampleSize)")
        matrix.setRows(positions.count)
        let p = sampleSize
        for (row, position) in positions.enumerated() {
            let values = samples.sample(originalIndices[position], as: T.self)
            for j in 0..<p { matrix.storage[row * p + j] = values[j] }
        }
    }

    /// A training sampler over this split's positions (see `EpochSampler`).
    public func sampler(batchSize: Int, seed: UInt64) throws -> EpochSampler {
        try EpochSampler(count: count, batchSize: batchSize, seed: seed)
    }

    /// In-order evaluation batches over this split's positions (see `InOrderBatches`).
    public func inOrderBatches(batchSize: Int) throws -> InOrderBatches {
        try InOrderBatches(count: count, batchSize: batchSize)
    }

    /// All samples of the split as a count × sampleSize matrix (10,000 MNIST test images take 31 MB in Float).
    public func imageMatrix() -> Matrix<Float> {
        var m = Matrix<Float>(rows: count, cols: sampleSize)
        gather(0..<count, into: &m)
        return m
    }

    private func fill(rows n: Int, into matrix: inout Matrix<Float>, position: (Int) -> Int) {
        precondition(matrix.cols == sampleSize, "gather: matrix has \(matrix.cols) columns, need \(sampleSize)")
        matrix.setRows(n)
        originalIndices.withUnsafeBufferPointer { original in
            samples.copy(rows: n, into: &matrix) { row in
                let at = position(row)
                precondition(at >= 0 && at < original.count, "gather: position \(at) outside 0..<\(original.count)")
                return original[at]
            }
        }
    }
}
