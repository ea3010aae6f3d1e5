import GFECore
import Testing

/// `Float.gemm` (BLAS's sgemm interface on the engine's kernel) against its contract written out in Swift,
/// on every code path this CPU runs, and the choice of path through GFE_KERNEL.
struct KernelGemmTests {
    /// Shapes across the kernel's edges: 1 row or column, heights off the 6- and 8-row tiles and the 120-row
    /// block, widths off the 16- and 32-column tiles, inner dimensions across the 256-wide K block of the
    /// scratch path (where beta needs a buffer) and the 1024-wide one.
    static let shapes: [(m: Int, k: Int, n: Int)] = [
        (1, 1, 1), (3, 16, 784), (16, 5, 20), (9, 257, 33), (130, 16, 47), (17, 600, 150), (2, 1030, 18),
        // Either side of the short-K tiles' bound (AVX-512: K ≤ 64 runs on 4 × 64 tiles).
        (37, 64, 70), (37, 65, 70),
        // Either side of the 120-row block with K > 64 (AVX-512: 6 × 64 tiles up to 120 rows, 8 × 32 above).
        (120, 70, 47), (121, 70, 47)
    ]

    static func values(_ count: Int, seed: UInt64) -> [Float] {
        var rng = RNG(seed: seed, stream: "kernel-gemm")
        return (0..<count).map { _ in rng.uniform(Float(-1), 1) }
    }

    /// The contract, element by element: acc = +0; acc = fma(A[i, p], B[p, j], acc) for p = 0, 1, …;
    /// t = alpha·acc; C = beta == 0 ? t : fma(beta, C, t).
    static func reference(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float, a: [Float],
        b: [Float], beta: Float, c: [Float]
    ) -> [Float] {
        var out = c
        for i in 0..<m {
            for j in 0..<n {
                var acc: Float = 0
                for p in 0..<k {
                    let av = transA ? a[p * m + i] : a[i * k + p]
                    let bv = transB ? b[j * k + p] : b[p * n + j]
                    acc = acc.addingProduct(av, bv)
                }
                let t = alpha * acc
                out[i * n + j] = beta == 0 ? t : t.addingProduct(beta, c[i * n + j])
            }
        }
        return out
    }

    @Test(arguments: KernelPath.available)
    func gemmIsItsContractOnEveryPath(path: KernelPath) {
        var failures: [String] = []
        for (index, s) in Self.shapes.enumerated() {
            let a = Self.values(s.m * s.k, seed: UInt64(10 * index))
            let b = Self.values(s.k * s.n, seed: UInt64(10 * index + 1))
            let c0 = Self.values(s.m * s.n, seed: UInt64(10 * index + 2))
            for transA in [false, true] {
                for transB in [false, true] {
                    for (alpha, beta) in [(Float(1), Float(0)), (0.0625, 1), (-0.37, -0.5)] {
                        let expected = Self.reference(
                            transA: transA, transB: transB, m: s.m, n: s.n, k: s.k,
                            alpha: alpha, a: a, b: b, beta: beta, c: c0)
                        var c = c0
                        a.withUnsafeBufferPointer { ap in
                            b.withUnsafeBufferPointer { bp in
                                c.withUnsafeMutableBufferPointer { cp in
                                    RowGemm.gemm(
                                        transA: transA, transB: transB, m: s.m, n: s.n, k: s.k, alpha: alpha,
                                        a: ap.baseAddress!, lda: transA ? s.m : s.k, b: bp.baseAddress!,
                                        ldb: transB ? s.k : s.n, beta: beta, c: cp.baseAddress!, ldc: s.n,
                                        path: path)
                                }
                            }
                        }
                        let differing = zip(c, expected).filter { $0.bitPattern != $1.bitPattern }.count
                        if differing > 0 {
                            failures.append(
                                "\(s) transA \(transA) transB \(transB) alpha \(alpha) beta \(beta): \(differing)")
                        }
                    }
                }
            }
        }
        #expect(failures.isEmpty, "\(path): elements differ from the contract in \(failures)")
    }

    /// beta = 0 overwrites C without reading it: NaNs there do not leak.
    @Test(arguments: KernelPath.available)
    func betaZeroDoesNotReadC(path: KernelPath) {
        let (m, k, n) = (7, 300, 21)
        let a = Self.values(m * k, seed: 1)
        let b = Self.values(k * n, seed: 2)
        var c = [Float](repeating: .nan, count: m * n)
        a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                c.withUnsafeMutableBufferPointer { cp in
                    RowGemm.gemm(
                        transA: false, transB: false, m: m, n: n, k: k, alpha: 1, a: ap.baseAddress!, lda: k,
                        b: bp.baseAddress!, ldb: n, beta: 0, c: cp.baseAddress!, ldc: n, path: path)
                }
            }
        }
        #expect(c.allSatisfy { $0.isFinite })
    }

    /// The generic `gemm` on Float matrices is the kernel: the same bits as its contract (so no Float product
    /// can reach BLAS through it).
    @Test func floatGemmRunsOnTheKernel() {
        let (m, k, n) = (5, 70, 19)
        let a = Matrix(rows: m, cols: k, storage: Self.values(m * k, seed: 3))
        let b = Matrix(rows: k, cols: n, storage: Self.values(k * n, seed: 4))
        var c = Matrix<Float>(rows: m, cols: n)
        gemm(a, b, into: &c)
        let expected = Self.reference(
            transA: false, transB: false, m: m, n: n, k: k, alpha: 1, a: a.storage,
            b: b.storage, beta: 0, c: c.storage)
        #expect(c.storage.map(\.bitPattern) == expected.map(\.bitPattern))
    }

    @Test func gfeKernelChoosesAPathOrSaysWhyNot() throws {
        #expect(try RowGemm.configuredPath(environment: nil) == KernelPath.fastest)
        #expect(try RowGemm.configuredPath(environment: "") == KernelPath.fastest)
        #expect(try RowGemm.configuredPath(environment: "SCALAR") == .scalar)
        #expect(KernelPath.scalar.isAvailable)
        for path in KernelPath.allCases {
            if path.isAvailable {
                #expect(try RowGemm.configuredPath(environment: path.rawValue) == path)
            } else {
                let error = #expect(throws: GFEError.self) { try RowGemm.configuredPath(environment: path.rawValue) }
                #expect(error?.exitCode == 2)
                #expect(error?.message.contains("this CPU cannot run the \(path.rawValue) path") == true)
            }
        }
        let error = #expect(throws: GFEError.self) { try RowGemm.configuredPath(environment: "sse9") }
        #expect(error?.message == "GFE_KERNEL=sse9 is not a code path; use one of avx512, avx2, scalar (or unset it)")
    }
}
