import GFECore

/// One split of a dataset: an indexable set of images with labels.
///
/// Position p (0..<count) is the image at `originalIndices[p]` of its source file (training or test file).
/// Images stay as bytes; `gather` converts the rows a batch needs to scalars, pixel value = byte / 255
/// (exactly `Float(byte) / 255`, as PyTorch's `ToTensor`: `byte.float().div(255)`), flattened row by row to 784.
public struct DataSplit: Sendable {
    public static let pixelCount = IDXFile.rows * IDXFile.cols

    public let dataset: DatasetID
    public let name: SplitName
    /// Index of each image in its source file (the training file for train/validation/holdout and
    /// segmented train; the test file for test).
    public let originalIndices: [Int]
    /// Label (0…9) of each image.
    public let labels: [UInt8]
    /// The file the images come from (`source` says which: `.trainImages` or `.testImages`).
    public let imageFile: IDXFile
    public let source: SourceFile

    init(
        dataset: DatasetID, name: SplitName, source: SourceFile, images: IDXFile, labels: IDXFile,
        originalIndices: [Int]
    ) {
        self.dataset = dataset
        self.source = source
        self.name = name
        self.imageFile = images
        self.originalIndices = originalIndices
        self.labels = originalIndices.map { labels.label($0) }
    }

    public var count: Int { originalIndices.count }

    /// Number of images with each label 0…9.
    public var labelCounts: [Int] {
        var counts = [Int](repeating: 0, count: 10)
        for l in labels { counts[Int(l)] += 1 }
        return counts
    }

    /// The 784 bytes of the image at `position`.
    public func pixelBytes(_ position: Int) -> ArraySlice<UInt8> {
        imageFile.item(originalIndices[position])
    }

    /// Writes the images at `positions` (split positions, in the given order) into the rows of `matrix`,
    /// which must have 784 columns; its row count is set to `positions.count` without reallocating when the
    /// storage is large enough (a preallocated batch workspace).
    public func gather(_ positions: [Int], into matrix: inout Matrix<Float>) {
        positions.withUnsafeBufferPointer { p in fill(rows: p.count, into: &matrix) { p[$0] } }
    }

    /// Writes the images at positions `range` into `matrix` (see `gather(_:into:)`); for in-order evaluation.
    public func gather(_ range: Range<Int>, into matrix: inout Matrix<Float>) {
        fill(rows: range.count, into: &matrix) { range.lowerBound + $0 }
    }

    /// Generic version (e.g. Double for exactness tests): pixel = T(byte) / 255 in `T`'s arithmetic.
    public func gather<T: Scalar>(_ positions: [Int], into matrix: inout Matrix<T>) {
        precondition(matrix.cols == DataSplit.pixelCount, "gather: matrix has \(matrix.cols) columns, need 784")
        matrix.setRows(positions.count)
        let p = DataSplit.pixelCount
        for (row, position) in positions.enumerated() {
            let bytes = pixelBytes(position)
            for (j, b) in bytes.enumerated() { matrix.storage[row * p + j] = T(b) / 255 }
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

    /// All images of the split as a count × 784 matrix (10,000 test images take 31 MB in Float).
    public func imageMatrix() -> Matrix<Float> {
        var m = Matrix<Float>(rows: count, cols: DataSplit.pixelCount)
        gather(0..<count, into: &m)
        return m
    }

    /// Byte → Float lookup: entry b is `Float(b) / 255`, the same correctly rounded quotient as dividing.
    private static let floatPixel: [Float] = (0..<256).map { Float($0) / 255 }

    private func fill(rows n: Int, into matrix: inout Matrix<Float>, position: (Int) -> Int) {
        precondition(matrix.cols == DataSplit.pixelCount, "gather: matrix has \(matrix.cols) columns, need 784")
        matrix.setRows(n)
        let p = DataSplit.pixelCount
        let header = imageFile.headerSize
        DataSplit.floatPixel.withUnsafeBufferPointer { table in
            originalIndices.withUnsafeBufferPointer { original in
                imageFile.bytes.withUnsafeBufferPointer { src in
                    matrix.storage.withUnsafeMutableBufferPointer { dst in
                        for row in 0..<n {
                            let at = position(row)
                            precondition(
                                at >= 0 && at < original.count,
                                "gather: position \(at) outside 0..<\(original.count)")
                            let from = src.baseAddress! + header + original[at] * p
                            let to = dst.baseAddress! + row * p
                            for j in 0..<p { to[j] = table[Int(from[j])] }
                        }
                    }
                }
            }
        }
    }
}
