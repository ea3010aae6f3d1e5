import GFECore

/// The samples of one data file, held once and shared by the splits cut from it (`DataSplit`).
///
/// Two storages: an MNIST-format IDX file kept as bytes (value = `Float(byte) / 255`, exactly as PyTorch's
/// `ToTensor`), or a user's array already converted to the model's Float values (`FileDataset`).
public struct SampleTable: Sendable {
    enum Storage: Sendable {
        case idxBytes(IDXFile)
        case values([Float])
    }

    let storage: Storage
    /// The number of samples.
    public let count: Int
    /// The shape of one sample: [28, 28] for MNIST, [128] for a spectrum, [H, W, C] for colour images.
    public let sampleShape: [Int]

    /// The values per sample (the decoder's outputs).
    public var sampleSize: Int { sampleShape.reduce(1, *) }

    /// An MNIST-format images file.
    init(images: IDXFile) {
        storage = .idxBytes(images)
        count = images.count
        sampleShape = [IDXFile.rows, IDXFile.cols]
    }

    /// `count` samples of `sampleShape`, values in C order.
    init(values: [Float], sampleShape: [Int]) {
        let size = sampleShape.reduce(1, *)
        precondition(size > 0 && values.count % size == 0, "SampleTable: \(values.count) values of \(sampleShape)")
        storage = .values(values)
        count = values.count / size
        self.sampleShape = sampleShape
    }

    /// The values of sample `i`, in the model's Double arithmetic (tests and references).
    public func sample<T: Scalar>(_ i: Int, as: T.Type = T.self) -> [T] {
        precondition(i >= 0 && i < count, "SampleTable.sample: index \(i) outside 0..<\(count)")
        let p = sampleSize
        switch storage {
        case .idxBytes(let file): return file.item(i).map { T($0) / 255 }
        case .values(let v): return v[(i * p)..<((i + 1) * p)].map { T($0) }
        }
    }

    /// Byte → Float lookup: entry b is `Float(b) / 255`, the same correctly rounded quotient as dividing.
    private static let floatPixel: [Float] = (0..<256).map { Float($0) / 255 }

    /// Copies sample `index(row)` into row `row` of `matrix` for every row in 0..<rows.
    func copy(rows: Int, into matrix: inout Matrix<Float>, index: (Int) -> Int) {
        let p = sampleSize
        matrix.storage.withUnsafeMutableBufferPointer { dst in
            switch storage {
            case .idxBytes(let file):
                let header = file.headerSize
                SampleTable.floatPixel.withUnsafeBufferPointer { table in
                    file.bytes.withUnsafeBufferPointer { src in
                        for row in 0..<rows {
                            let from = src.baseAddress! + header + index(row) * p
                            let to = dst.baseAddress! + row * p
                            for j in 0..<p { to[j] = table[Int(from[j])] }
                        }
                    }
                }
            case .values(let values):
                values.withUnsafeBufferPointer { src in
                    for row in 0..<rows {
                        (dst.baseAddress! + row * p).update(from: src.baseAddress! + index(row) * p, count: p)
                    }
                }
            }
        }
    }
}
