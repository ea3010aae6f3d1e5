import GFECore
import GFETestSupport
import Testing

/// gemm against a naive triple loop, all transpose combinations, odd shapes, non-trivial alpha and beta.
struct GemmTests {
    static let shapes: [(m: Int, n: Int, k: Int)] = [(7, 5, 3), (1, 9, 13), (11, 1, 2), (4, 6, 1)]

    func naive(
        _ a: Matrix<Double>, _ ta: Bool, _ b: Matrix<Double>, _ tb: Bool, _ c: Matrix<Double>,
        alpha: Double, beta: Double
    ) -> [Double] {
        let (m, n) = (c.rows, c.cols)
        let k = ta ? a.rows : a.cols
        var out = [Double](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                var s = 0.0
                for p in 0..<k { s += (ta ? a[p, i] : a[i, p]) * (tb ? b[j, p] : b[p, j]) }
                out[i * n + j] = alpha * s + beta * c[i, j]
            }
        }
        return out
    }

    @Test(arguments: [false, true], [false, true])
    func matchesNaiveLoop(transA: Bool, transB: Bool) {
        for (index, s) in Self.shapes.enumerated() {
            let seed = UInt64(index * 4) + (transA ? 2 : 0) + (transB ? 1 : 0)
            let a = transA ? Fixtures.uniform(s.k, s.m, seed: seed) : Fixtures.uniform(s.m, s.k, seed: seed)
            let b = transB ? Fixtures.uniform(s.n, s.k, seed: seed + 100) : Fixtures.uniform(s.k, s.n, seed: seed + 100)
            let c0 = Fixtures.uniform(s.m, s.n, seed: seed + 200)
            let expected = naive(a, transA, b, transB, c0, alpha: 0.7, beta: -1.3)

            var c = c0
            gemm(a, transA: transA, b, transB: transB, into: &c, alpha: 0.7, beta: -1.3)
            expectClose(c.storage, expected, relative: 1e-12, absolute: 1e-14, "Double \(s) tA=\(transA) tB=\(transB)")

            var cf: Matrix<Float> = c0.converted()
            gemm(
                a.converted(to: Float.self), transA: transA, b.converted(to: Float.self), transB: transB,
                into: &cf, alpha: 0.7, beta: -1.3)
            expectClose(cf.storage, expected, relative: 1e-5, absolute: 1e-5, "Float \(s) tA=\(transA) tB=\(transB)")
        }
    }

    @Test func emptyInnerDimensionScalesByBeta() {
        let a = Matrix<Double>(rows: 3, cols: 0)
        let b = Matrix<Double>(rows: 0, cols: 2)
        var c = Matrix<Double>(rows: 3, cols: 2, storage: [1, 2, 3, 4, 5, 6])
        gemm(a, b, into: &c, beta: 0.5)
        #expect(c.storage == [0.5, 1, 1.5, 2, 2.5, 3])
        gemm(a, b, into: &c, beta: 0)
        #expect(c.storage == [0, 0, 0, 0, 0, 0])
    }
}
