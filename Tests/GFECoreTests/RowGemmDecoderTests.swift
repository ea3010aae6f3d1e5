import GFECore
import Testing

/// The decoder's Float passes through the row-stable kernel: a group's rows get the same bits alone as
/// anywhere inside a taller matrix, with no padding (what grouped solving needs, SPEC §4.1).
struct RowGemmDecoderTests {
    static let decoder = MLP<Float>(architecture: .decoder(), seed: 2020)
    static let groupRows = 16

    static func uniform(_ rows: Int, _ cols: Int, seed: UInt64, _ lo: Float, _ hi: Float) -> Matrix<Float> {
        var rng = RNG(seed: seed, stream: "row-gemm-decoder")
        return Matrix(rows: rows, cols: cols, storage: (0..<(rows * cols)).map { _ in rng.uniform(lo, hi) })
    }

    /// `group` placed at row `offset` of a `height`-row matrix whose other rows are other data.
    static func embed(_ group: Matrix<Float>, at offset: Int, height: Int, filler seed: UInt64) -> Matrix<Float> {
        var m = uniform(height, group.cols, seed: seed, 0, 1)
        for r in 0..<group.rows { for c in 0..<group.cols { m[offset + r, c] = group[r, c] } }
        return m
    }

    static func bits(_ m: Matrix<Float>, rows: Range<Int>) -> [UInt32] {
        rows.flatMap { m.row($0).map(\.bitPattern) }
    }

    /// The last two straddle the boundaries of the first-order passes' row blocks (DecoderObjective.rowBlock).
    static let placements: [(offset: Int, height: Int)] = [
        (0, 17), (1, 17), (5, 40), (13, 29), (30, 61), (7, 100),
        (DecoderObjective<Float>.rowBlock - 5, 150),
        (2 * DecoderObjective<Float>.rowBlock - 9, 200)
    ]

    @Test func lossAndGradientRowsDoNotDependOnTheirPosition() {
        let z = Self.uniform(Self.groupRows, 20, seed: 1, 0, 1)
        let x = Self.uniform(Self.groupRows, 784, seed: 2, 0, 1)
        var alone = DecoderObjective(decoder: Self.decoder, maxBatch: Self.groupRows)
        var loss: [Float] = []
        var gradient = Matrix<Float>(rows: Self.groupRows, cols: 20)
        alone.lossAndGradient(z: z, x: x, loss: &loss, gradient: &gradient)
        let expectedLoss = loss.prefix(Self.groupRows).map(\.bitPattern)
        let expectedGradient = Self.bits(gradient, rows: 0..<Self.groupRows)

        var tall = DecoderObjective(decoder: Self.decoder, maxBatch: 100)
        for (index, p) in Self.placements.enumerated() {
            let zt = Self.embed(z, at: p.offset, height: p.height, filler: UInt64(10 + index))
            let xt = Self.embed(x, at: p.offset, height: p.height, filler: UInt64(20 + index))
            var lt: [Float] = []
            var gt = Matrix<Float>(rows: p.height, cols: 20)
            tall.lossAndGradient(z: zt, x: xt, loss: &lt, gradient: &gt)
            let rows = p.offset..<(p.offset + Self.groupRows)
            #expect(lt[rows].map(\.bitPattern) == expectedLoss, "loss rows at offset \(p.offset) of \(p.height)")
            #expect(Self.bits(gt, rows: rows) == expectedGradient, "gradient rows at offset \(p.offset) of \(p.height)")
            // The forward-only loss goes through the same row blocks.
            var lossOnly: [Float] = []
            tall.loss(z: zt, x: xt, loss: &lossOnly)
            #expect(
                lossOnly[rows].map(\.bitPattern) == expectedLoss, "loss-only rows at offset \(p.offset) of \(p.height)")
        }
    }

    /// The second-order pass (exact H·v) uses the same products, so its rows are position-independent too.
    @Test func hessianProductRowsDoNotDependOnTheirPosition() {
        let z = Self.uniform(Self.groupRows, 20, seed: 3, 0, 1)
        let x = Self.uniform(Self.groupRows, 784, seed: 4, 0, 1)
        let v = Self.uniform(Self.groupRows, 20, seed: 5, -1, 1)
        func run(_ z: Matrix<Float>, _ x: Matrix<Float>, _ v: Matrix<Float>) -> (Matrix<Float>, Matrix<Float>) {
            var objective = DecoderObjective(decoder: Self.decoder, maxBatch: z.rows)
            var loss: [Float] = []
            var gradient = Matrix<Float>(rows: z.rows, cols: 20)
            var hv = Matrix<Float>(rows: z.rows, cols: 20)
            objective.hessianProduct(z: z, x: x, direction: v, loss: &loss, gradient: &gradient, hessianProduct: &hv)
            return (gradient, hv)
        }
        let (g0, h0) = run(z, x, v)
        for (index, p) in [(offset: 3, height: 23), (offset: 19, height: 41)].enumerated() {
            let (g, h) = run(
                Self.embed(z, at: p.offset, height: p.height, filler: UInt64(30 + index)),
                Self.embed(x, at: p.offset, height: p.height, filler: UInt64(40 + index)),
                Self.embed(v, at: p.offset, height: p.height, filler: UInt64(50 + index)))
            let rows = p.offset..<(p.offset + Self.groupRows)
            #expect(Self.bits(g, rows: rows) == Self.bits(g0, rows: 0..<Self.groupRows), "gradient at \(p.offset)")
            #expect(Self.bits(h, rows: rows) == Self.bits(h0, rows: 0..<Self.groupRows), "H·v at \(p.offset)")
        }
    }

    /// Single rows through `MLP.forward`, one at a time against all at once (every height 1…24).
    @Test func forwardRowsAloneEqualRowsInABatch() {
        let z = Self.uniform(24, 20, seed: 6, -1, 1)
        let singles = (0..<24).map { r in Self.decoder.forward(Matrix(rows: 1, cols: 20, storage: z.row(r))) }
        for height in 1...24 {
            let batch = Self.decoder.forward(
                Matrix(rows: height, cols: 20, storage: Array(z.storage[0..<(height * 20)])))
            for r in 0..<height {
                #expect(batch.row(r).map(\.bitPattern) == singles[r].row(0).map(\.bitPattern), "row \(r) of \(height)")
            }
        }
    }
}
