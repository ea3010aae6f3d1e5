import CGFEKernels

/// A right-hand factor B (k × n) of `RowGemm` products, copied once into the kernel's panel layout
/// (16-column panels, zero-padded) and reused for many products — e.g. a weight matrix for every pass of a
/// solve. Public instances are immutable, so they may be shared between threads; inside GFECore an MLP's
/// weight cache refills its own instances in place when it is their only user (see `RowGemmWeights`).
public final class RowGemmPackedMatrix: @unchecked Sendable {
    /// k, the inner dimension of the products.
    public let rows: Int
    /// n, the columns of the products' results.
    public let cols: Int
    let storage: UnsafeMutablePointer<Float>

    /// Packs B from memory: `transposed == false` reads B[p, j] at source[p·ld + j] (B stored row-major);
    /// `transposed == true` reads it at source[j·ld + p] (Bᵀ stored row-major, as a PyTorch-layout weight
    /// [out, in] is for the forward product X·Wᵀ).
    init(source: UnsafePointer<Float>, leadingDimension ld: Int, transposed: Bool, rows k: Int, cols n: Int) {
        precondition(k >= 0 && n >= 0, "RowGemmPackedMatrix: negative shape \(k)x\(n)")
        rows = k
        cols = n
        let count = gfe_rowgemm_packed_count(k, n)
        storage = Self.allocate(count)
        if count > 0 { gfe_rowgemm_pack(source, ld, transposed ? 1 : 0, k, n, storage) }
    }

    /// 64-byte alignment: every 16-float panel row is one cache line.
    private static func allocate(_ count: Int) -> UnsafeMutablePointer<Float> {
        UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * MemoryLayout<Float>.stride, alignment: 64)
            .bindMemory(to: Float.self, capacity: max(count, 1))
    }

    /// Memory for a k × n factor, filled later by `RowGemm.multiplyPacking` (see `RowGemmWeights`).
    init(unfilledRows k: Int, cols n: Int) {
        precondition(k >= 0 && n >= 0, "RowGemmPackedMatrix: negative shape \(k)x\(n)")
        rows = k
        cols = n
        storage = Self.allocate(gfe_rowgemm_packed_count(k, n))
    }

    /// Packs B itself (products A·B).
    public convenience init(_ b: Matrix<Float>) {
        self.init(matrix: b, transposed: false)
    }

    /// Packs Bᵀ for products A·Bᵀ: `w` is n × k (e.g. a weight [out, in]); the packed factor is k × n.
    public convenience init(transposeOf w: Matrix<Float>) {
        self.init(matrix: w, transposed: true)
    }

    private convenience init(matrix: Matrix<Float>, transposed: Bool) {
        let (k, n) = transposed ? (matrix.cols, matrix.rows) : (matrix.rows, matrix.cols)
        self.init(
            source: matrix.storage, leadingDimension: max(matrix.cols, 1), transposed: transposed, rows: k, cols: n)
    }

    deinit { storage.deallocate() }
}
