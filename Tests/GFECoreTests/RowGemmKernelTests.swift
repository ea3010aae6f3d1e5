import GFECore
import Testing

/// The row-stable product `RowGemm` against independent computations: a Double reference, the literal
/// fused-multiply-add chain of its contract written in Swift, and itself on the same rows at other
/// positions and heights.
struct RowGemmKernelTests {
    /// Odd shapes: single rows and columns, heights that are not multiples of the 4-, 6- or 8-row tiles or
    /// of the 120-row block, widths on both sides of the 16-column panel and of the 2- and 4-panel groups,
    /// inner dimensions on both sides of the short-K limit (64) and across the 1024-wide K block (and the
    /// 256-wide one of the unpacked path, exercised through the MLP tests); every tile variant of a path
    /// (AVX-512: short K, at most 120 rows, taller) is reached.
    static let shapes: [(m: Int, k: Int, n: Int)] = [
        (1, 1, 1), (5, 3, 17), (7, 20, 150), (13, 257, 33), (6, 256, 16), (37, 600, 20), (2, 784, 47),
        (19, 513, 8), (4, 150, 300), (5, 1100, 19), (125, 30, 18), (131, 100, 70)
    ]

    static func matrix(_ rows: Int, _ cols: Int, seed: UInt64) -> Matrix<Float> {
        var rng = RNG(seed: seed, stream: "row-gemm")
        return Matrix(rows: rows, cols: cols, storage: (0..<(rows * cols)).map { _ in rng.uniform(Float(-1), 1) })
    }

    /// B (k × n) as given to the product, from either packing form.
    static func packed(_ b: Matrix<Float>, transposed: Bool) -> RowGemmPackedMatrix {
        if !transposed { return RowGemmPackedMatrix(b) }
        var bt = Matrix<Float>(rows: b.cols, cols: b.rows)
        for p in 0..<b.rows { for j in 0..<b.cols { bt[j, p] = b[p, j] } }
        return RowGemmPackedMatrix(transposeOf: bt)
    }

    @Test(arguments: [false, true])
    func matchesDoubleReference(transposed: Bool) {
        for (index, s) in Self.shapes.enumerated() {
            let a = Self.matrix(s.m, s.k, seed: UInt64(2 * index))
            let b = Self.matrix(s.k, s.n, seed: UInt64(2 * index + 1))
            let packed = Self.packed(b, transposed: transposed)
            #expect(packed.rows == s.k && packed.cols == s.n)
            var c = Matrix<Float>(rows: 0, cols: s.n)
            RowGemm.multiply(a, packed, into: &c)
            #expect(c.rows == s.m)
            var worst = 0.0
            for i in 0..<s.m {
                for j in 0..<s.n {
                    var exact = 0.0
                    var magnitude = 0.0
                    for p in 0..<s.k {
                        let term = Double(a[i, p]) * Double(b[p, j])
                        exact += term
                        magnitude += abs(term)
                    }
                    // Relative to Σ|a·b|, the scale a sum's rounding error is proportional to.
                    worst = max(worst, abs(Double(c[i, j]) - exact) / max(magnitude, 1e-30))
                }
            }
            #expect(worst <= 1e-5, "\(s) transposed=\(transposed): relative error \(worst)")
        }
    }

    /// Every element is exactly acc = +0, then acc = fma(A[i, p], B[p, j], acc) for p = 0, 1, …, on every
    /// code path this CPU runs.
    @Test(arguments: KernelPath.available)
    func isTheFusedMultiplyAddChainOfItsContract(path: KernelPath) {
        for (index, s) in Self.shapes.enumerated() {
            let a = Self.matrix(s.m, s.k, seed: UInt64(100 + index))
            let b = Self.matrix(s.k, s.n, seed: UInt64(200 + index))
            var c = Matrix<Float>(rows: s.m, cols: s.n)
            RowGemm.multiply(a, RowGemmPackedMatrix(b), into: &c, path: path)
            var mismatches = 0
            for i in 0..<s.m {
                for j in 0..<s.n {
                    var acc: Float = 0
                    for p in 0..<s.k { acc = acc.addingProduct(a[i, p], b[p, j]) }  // one rounding per step
                    if acc.bitPattern != c[i, j].bitPattern { mismatches += 1 }
                }
            }
            #expect(mismatches == 0, "\(path) \(s): \(mismatches) elements differ from the fma chain")
        }
    }

    /// Each row gets the same bits at every position 0…30 of matrices 1…100 rows tall as alone (no padding).
    /// Row r of the matrix for (height h, shift s) is pool row (r + s) mod P, so every pool row is met at
    /// every offset and under every height.
    @Test(arguments: KernelPath.available)
    func rowsArePositionIndependent(path: KernelPath) {
        let (k, n, pool) = (1030, 40, 131)  // K crosses the 1024 block; the last panel is 8 wide
        let rows = Self.matrix(pool, k, seed: 7)
        let b = RowGemmPackedMatrix(Self.matrix(k, n, seed: 8))
        let alone: [[UInt32]] = (0..<pool).map { r in
            var c = Matrix<Float>(rows: 1, cols: n)
            RowGemm.multiply(Matrix(rows: 1, cols: k, storage: rows.row(r)), b, into: &c, path: path)
            return c.storage.map(\.bitPattern)
        }
        var a = Matrix<Float>(rows: 100, cols: k)
        var c = Matrix<Float>(rows: 100, cols: n)
        var failures: [String] = []
        for height in 1...100 {
            a.setRows(height)
            for shift in 0...30 {
                rows.storage.withUnsafeBufferPointer { source in
                    a.storage.withUnsafeMutableBufferPointer { target in
                        for r in 0..<height {
                            (target.baseAddress! + r * k).update(
                                from: source.baseAddress! + ((r + shift) % pool) * k, count: k)
                        }
                    }
                }
                RowGemm.multiply(a, b, into: &c, path: path)
                c.storage.withUnsafeBufferPointer { result in
                    for r in 0..<height {
                        let expected = alone[(r + shift) % pool]
                        if (0..<n).contains(where: { result[r * n + $0].bitPattern != expected[$0] }) {
                            failures.append("height \(height) shift \(shift) row \(r)")
                        }
                    }
                }
            }
        }
        #expect(failures.isEmpty, "\(failures.count) rows differ from their lone result, first: \(failures.prefix(3))")
    }

    /// Packing Bᵀ (the forward form: vector transposes on AVX2) and packing B itself give the same factor:
    /// the products agree bit for bit.
    @Test func bothPackingFormsGiveTheSameBits() {
        for (index, s) in Self.shapes.enumerated() {
            let a = Self.matrix(s.m, s.k, seed: UInt64(300 + index))
            let b = Self.matrix(s.k, s.n, seed: UInt64(400 + index))
            var direct = Matrix<Float>(rows: s.m, cols: s.n)
            var viaTranspose = Matrix<Float>(rows: s.m, cols: s.n, repeating: .nan)
            RowGemm.multiply(a, Self.packed(b, transposed: false), into: &direct)
            RowGemm.multiply(a, Self.packed(b, transposed: true), into: &viaTranspose)
            let differing = zip(direct.storage, viaTranspose.storage).filter { $0.bitPattern != $1.bitPattern }.count
            #expect(differing == 0, "\(s): \(differing) elements differ")
        }
    }

    @Test func emptyInnerDimensionGivesZeros() {
        let a = Matrix<Float>(rows: 3, cols: 0)
        let b = RowGemmPackedMatrix(Matrix<Float>(rows: 0, cols: 5))
        var c = Matrix<Float>(rows: 3, cols: 5, repeating: .nan)
        RowGemm.multiply(a, b, into: &c)
        #expect(c.storage.allSatisfy { $0 == 0 })
    }

    /// The result overwrites C (beta = 0): NaNs already there must not leak, even past the first K block.
    @Test func overwritesWithoutReadingOldValues() {
        let a = Self.matrix(8, 300, seed: 11)
        let b = Self.matrix(300, 21, seed: 12)
        var clean = Matrix<Float>(rows: 8, cols: 21)
        RowGemm.multiply(a, RowGemmPackedMatrix(b), into: &clean)
        var dirty = Matrix<Float>(rows: 8, cols: 21, repeating: .nan)
        RowGemm.multiply(a, RowGemmPackedMatrix(b), into: &dirty)
        #expect(dirty.storage.map(\.bitPattern) == clean.storage.map(\.bitPattern))
    }
}
