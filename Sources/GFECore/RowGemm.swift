import CGFEKernels
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The row-stable Float matrix product (C kernel in Sources/CGFEKernels).
///
/// Contract, for C (m × n) = A (m × k) · B (k × n): every element is computed as
/// `acc = +0; for p in 0..<k { acc = fma(A[i, p], B[p, j], acc) }; C[i, j] = acc` — one accumulator per
/// element, one fused multiply-add per p in increasing p. So row i of C depends on row i of A and on B only:
/// its bits are the same wherever the row sits in A and however many rows A has. That is what grouped solving
/// needs (SPEC §4.1: grouped results identical to sequential ones) without padding groups to the row period of
/// a BLAS kernel (see `RowAlignment` in GFESolvers). The error is that of a plain sequential sum:
/// |C − AB| ≤ k·u·Σ_p |A[i, p] B[p, j]| (u = 2⁻²⁴) to first order.
///
/// The Float passes of `MLP` (forward products H·Wᵀ and input-gradient products Δ·W, first and second
/// order) run through it when `isActive`; products for parameter gradients (Δᵀ·H) and every Double product
/// stay on BLAS.
public enum RowGemm {
    /// True when the CPU runs the AVX2 + FMA micro-kernel. Without it the C function computes the same bits
    /// in a scalar loop (correct but slow), and the engine uses BLAS instead.
    public static var hasVectorKernel: Bool { gfe_rowgemm_vector_kernel_available() != 0 }

    /// Whether the Float MLP passes use the row-stable kernel in this process: the vector kernel is available
    /// and the environment variable `GFE_ROW_GEMM` is not `off` (set it to compare against BLAS, or to run
    /// the BLAS fallback with its row alignment on a CPU that has the kernel). Decided once per process.
    public static let isActive: Bool = {
        if let setting = getenv("GFE_ROW_GEMM"), String(cString: setting).lowercased() == "off" { return false }
        return hasVectorKernel
    }()

    /// C ← A·B with B packed by `RowGemmPackedMatrix`; `c` gets a.rows rows. Works with or without the vector
    /// kernel (the contract does not depend on it).
    public static func multiply(_ a: Matrix<Float>, _ b: RowGemmPackedMatrix, into c: inout Matrix<Float>) {
        precondition(a.cols == b.rows, "RowGemm.multiply: A has \(a.cols) columns, packed B has \(b.rows) rows")
        precondition(c.cols == b.cols, "RowGemm.multiply: C has \(c.cols) columns, packed B has \(b.cols)")
        if c.rows != a.rows { c.setRows(a.rows) }
        guard a.rows > 0 && b.cols > 0 else { return }
        a.storage.withUnsafeBufferPointer { ap in
            c.storage.withUnsafeMutableBufferPointer { cp in
                // A with zero columns has no storage: any valid pointer will do, nothing is read.
                multiply(rows: a.rows, a: ap.baseAddress ?? UnsafePointer(cp.baseAddress!), lda: max(a.cols, 1),
                         b, c: cp.baseAddress!, ldc: c.cols)
            }
        }
    }

    /// Raw form: C (rows × b.cols, leading dimension ldc) ← A (rows × b.rows, leading dimension lda) · B.
    @inline(__always)
    static func multiply(rows: Int, a: UnsafePointer<Float>, lda: Int, _ b: RowGemmPackedMatrix,
                         c: UnsafeMutablePointer<Float>, ldc: Int) {
        gfe_rowgemm(rows, b.cols, b.rows, a, lda, b.storage, c, ldc)
    }

    /// The same product while (re)filling `b` from `source` (read as by `RowGemmPackedMatrix`'s packing
    /// initialiser), each part just before its first use, while it is in cache: packing then costs no
    /// separate sweep over memory. The caller must be `b`'s only user.
    @inline(__always)
    static func multiplyPacking(rows: Int, a: UnsafePointer<Float>, lda: Int, source: UnsafePointer<Float>,
                                leadingDimension: Int, transposed: Bool, into b: RowGemmPackedMatrix,
                                c: UnsafeMutablePointer<Float>, ldc: Int) {
        gfe_rowgemm_packing(rows, b.cols, b.rows, a, lda, source, leadingDimension, transposed ? 1 : 0, b.storage, c, ldc)
    }

    /// The same product with B (k × n) read from `source`, nothing packed ahead or kept: for a factor used
    /// once, where a full pack would cost a sweep over memory that is never repaid.
    @inline(__always)
    static func multiplyUnpacked(rows: Int, a: UnsafePointer<Float>, lda: Int, source: UnsafePointer<Float>,
                                 leadingDimension: Int, transposed: Bool, k: Int, n: Int,
                                 c: UnsafeMutablePointer<Float>, ldc: Int) {
        gfe_rowgemm_unpacked(rows, n, k, a, lda, source, leadingDimension, transposed ? 1 : 0, c, ldc)
    }
}
