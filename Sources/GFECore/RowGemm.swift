import CGFEKernels

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The engine's Float matrix product (C kernel in Sources/CGFEKernels): every Float product of training,
/// evaluation and encoding runs through it — the MLP's weight products through packed weights
/// (`RowGemmWeights`), every other product through `Float.gemm` — and none through BLAS.
///
/// Contract, for C (m × n) = alpha·A (m × k)·B (k × n) + beta·C: every element is computed as
/// `acc = +0; for p in 0..<k { acc = fma(A[i, p], B[p, j], acc) }; t = alpha·acc;
/// C[i, j] = beta == 0 ? t : fma(beta, C[i, j], t)` — one accumulator per element, one fused multiply-add per
/// p in increasing p. So row i of C depends on row i of A and on B only: its bits are the same wherever the
/// row sits in A and however many rows A has (what grouped solving needs: SPEC §4.1), and the same on every
/// CPU and code path, whichever BLAS is installed (what a reproduction needs). The error is that of a plain
/// sequential sum: |C − AB| ≤ k·u·Σ_p |A[i, p] B[p, j]| (u = 2⁻²⁴) to first order.
public enum RowGemm {
    /// The name of the engine's Float arithmetic, hashed into run ids: a new name whenever the order or the
    /// rounding of any Float operation of a run changes (this contract, an elementwise kernel), so that runs
    /// whose numbers differ never share an id. 1 was the arithmetic with parameter gradients on BLAS.
    public static let arithmetic = "gfe-kernel/2"

    /// The process's code path: `GFE_KERNEL` when set (checked by `configuredPath`), else the fastest
    /// path this CPU runs. Decided once per process.
    public static let path: KernelPath = {
        do throws(GFEError) { return try configuredPath() } catch { fatalError(error.message) }
    }()

    /// The path `GFE_KERNEL` asks for (avx512, avx2 or scalar), or the fastest available when it is unset
    /// or empty; an unknown or unavailable path is bad input. The `gfe` command calls this first, so such an
    /// error exits 2 before anything runs.
    public static func configuredPath(environment: String? = getenv("GFE_KERNEL").map { String(cString: $0) })
        throws(GFEError) -> KernelPath
    {
        guard let requested = environment?.lowercased(), !requested.isEmpty else { return KernelPath.fastest }
        guard let chosen = KernelPath(rawValue: requested) else {
            throw .badInput(
                "GFE_KERNEL=\(requested) is not a code path; use one of "
                    + KernelPath.allCases.map(\.rawValue).joined(separator: ", ") + " (or unset it)")
        }
        guard chosen.isAvailable else {
            throw .badInput(
                "GFE_KERNEL=\(requested): this CPU cannot run the \(chosen.rawValue) path (it runs "
                    + KernelPath.available.map(\.rawValue).joined(separator: ", ") + ")")
        }
        return chosen
    }

    /// C ← A·B with B packed by `RowGemmPackedMatrix`; `c` gets a.rows rows.
    public static func multiply(
        _ a: Matrix<Float>, _ b: RowGemmPackedMatrix, into c: inout Matrix<Float>,
        path: KernelPath = RowGemm.path
    ) {
        precondition(a.cols == b.rows, "RowGemm.multiply: A has \(a.cols) columns, packed B has \(b.rows) rows")
        precondition(c.cols == b.cols, "RowGemm.multiply: C has \(c.cols) columns, packed B has \(b.cols)")
        if c.rows != a.rows { c.setRows(a.rows) }
        guard a.rows > 0 && b.cols > 0 else { return }
        a.storage.withUnsafeBufferPointer { ap in
            c.storage.withUnsafeMutableBufferPointer { cp in
                // A with zero columns has no storage: any valid pointer will do, nothing is read.
                gfe_rowgemm(
                    path.code, a.rows, b.cols, b.rows, ap.baseAddress ?? UnsafePointer(cp.baseAddress!),
                    max(a.cols, 1), b.storage, cp.baseAddress!, c.cols)
            }
        }
    }

    /// Raw form: C (rows × b.cols, leading dimension ldc) ← A (rows × b.rows, leading dimension lda) · B.
    @inline(__always)
    static func multiply(
        rows: Int, a: UnsafePointer<Float>, lda: Int, _ b: RowGemmPackedMatrix,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        gfe_rowgemm(path.code, rows, b.cols, b.rows, a, lda, b.storage, c, ldc)
    }

    /// The same product while (re)filling `b` from `source` (read as by `RowGemmPackedMatrix`'s packing
    /// initialiser), each part just before its first use, while it is in cache: packing then costs no
    /// separate sweep over memory. The caller must be `b`'s only user.
    @inline(__always)
    static func multiplyPacking(
        rows: Int, a: UnsafePointer<Float>, lda: Int, source: UnsafePointer<Float>,
        leadingDimension: Int, transposed: Bool, into b: RowGemmPackedMatrix,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        gfe_rowgemm_packing(
            path.code, rows, b.cols, b.rows, a, lda, source, leadingDimension, transposed ? 1 : 0,
            b.storage, c, ldc)
    }

    /// The same product with B (k × n) read from `source`, nothing packed ahead or kept: for a factor used
    /// once, where a full pack would cost a sweep over memory that is never repaid.
    @inline(__always)
    static func multiplyUnpacked(
        rows: Int, a: UnsafePointer<Float>, lda: Int, source: UnsafePointer<Float>,
        leadingDimension: Int, transposed: Bool, k: Int, n: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        gfe_rowgemm_unpacked(path.code, rows, n, k, a, lda, source, leadingDimension, transposed ? 1 : 0, c, ldc)
    }

    /// C ← alpha·op(A)·op(B) + beta·C under the contract, raw row-major pointers (BLAS's sgemm interface):
    /// what `Float.gemm` runs.
    @inline(__always)
    public static func gemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int, beta: Float,
        c: UnsafeMutablePointer<Float>, ldc: Int, path: KernelPath = RowGemm.path
    ) {
        gfe_sgemm(path.code, transA ? 1 : 0, transB ? 1 : 0, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
    }
}

/// A code path of the kernel. All compute the same bits; they differ in speed and in the CPUs that run them.
public enum KernelPath: String, CaseIterable, Sendable, Codable {
    /// 16-float vectors in AVX-512 registers: 4 × 64 tiles for short inner dimensions, 6 × 64 up to 120 rows,
    /// 8 × 32 for taller products.
    case avx512
    /// 16-float vectors in pairs of AVX2 registers with FMA, 6 × 16 tiles.
    case avx2
    /// The contract written out in C with `fmaf`: any CPU. An FMA instruction where the CPU has one (about 8 times
    /// slower than `avx512` on the decoder), else the C library's software `fmaf` (far slower).
    case scalar

    var code: Int32 {
        switch self {
        case .scalar: Int32(GFE_KERNEL_SCALAR)
        case .avx2: Int32(GFE_KERNEL_AVX2)
        case .avx512: Int32(GFE_KERNEL_AVX512)
        }
    }

    /// Whether this CPU (and its operating system) runs the path.
    public var isAvailable: Bool { gfe_kernel_available(code) != 0 }

    /// The paths this CPU runs, fastest first.
    public static var available: [KernelPath] { allCases.filter(\.isAvailable) }

    /// The fastest path this CPU runs.
    public static var fastest: KernelPath { available.first ?? .scalar }
}
