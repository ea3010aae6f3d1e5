import GFECore

/// The row alignment under which this process's BLAS computes every row of a Float product bit-identically
/// wherever the row's group sits in the matrix (see `RowPacking`).
public enum RowAlignment {
    /// The smallest tested alignment A for which, for every probed shape, a group of rows padded to a
    /// multiple of A gives the same bits alone as at any A-aligned slot of a taller matrix; nil when none
    /// of the candidates works (grouped solving through this BLAS then cannot match sequential solving).
    /// Probed once per process (a few milliseconds), with the BLAS thread count in force at that moment:
    /// run it after `BLAS.setThreads(1)` (the engine's default): a threaded BLAS splits the rows between
    /// threads according to the matrix height, and no alignment can undo that.
    public static let blas: Int? = probe()

    static let candidates = [1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64]

    /// Runs the probe now (see `blas`). Both gemm forms the decoder uses (Z·Wᵀ forward, Δ·W backward), with inner dimensions below and above
    /// typical K-blocking, group sizes 1, 7 and 16, and matrices from two to several hundred rows.
    public static func probe() -> Int? {
        var rng = RNG(seed: 20_240_607, stream: "row-alignment-probe")
        let shapes: [(k: Int, n: Int, transB: Bool)] = [(20, 150, true), (150, 20, false), (64, 96, true),
                                                         (600, 48, true), (784, 24, false)]
        let operands = shapes.map { s -> (Matrix<Float>, [Matrix<Float>]) in
            let b = randomMatrix(rows: s.transB ? s.n : s.k, cols: s.transB ? s.k : s.n, &rng)
            let groups = [1, 7, 16].map { randomMatrix(rows: $0, cols: s.k, &rng) }
            return (b, groups)
        }
        candidateLoop: for a in candidates {
            for (s, (b, groups)) in zip(shapes, operands) {
                for g in groups {
                    let slot = RowPacking.slotRows(g.rows, alignment: a)
                    let alone = product(padded(g, to: slot, slots: 1, at: 0), b, transB: s.transB)
                    let placements = s.k * s.n <= 3000 ? [(2, 1), (5, 3), (40, 37)] : [(2, 1), (5, 3)]
                    for (count, at) in placements {
                        let tall = product(padded(g, to: slot, slots: count, at: at), b, transB: s.transB)
                        for r in 0..<g.rows where tall.row(at * slot + r) != alone.row(r) { continue candidateLoop }
                    }
                }
            }
            return a
        }
        return nil
    }

    private static func randomMatrix(rows: Int, cols: Int, _ rng: inout RNG) -> Matrix<Float> {
        Matrix(rows: rows, cols: cols, storage: (0..<(rows * cols)).map { _ in rng.uniform(Float(-1), 1) })
    }

    /// `slots` slots of `slot` rows; the group at slot `at`, other slots filled with a fixed pattern.
    private static func padded(_ g: Matrix<Float>, to slot: Int, slots: Int, at: Int) -> Matrix<Float> {
        var m = Matrix<Float>(rows: slot * slots, cols: g.cols)
        for i in 0..<m.storage.count { m.storage[i] = Float(i % 13) * 0.125 - 0.75 }
        for r in 0..<slot {
            for c in 0..<g.cols { m[at * slot + r, c] = r < g.rows ? g[r, c] : 0 }
        }
        return m
    }

    private static func product(_ a: Matrix<Float>, _ b: Matrix<Float>, transB: Bool) -> Matrix<Float> {
        var c = Matrix<Float>(rows: a.rows, cols: transB ? b.rows : b.cols)
        gemm(a, b, transB: transB, into: &c)
        return c
    }
}
