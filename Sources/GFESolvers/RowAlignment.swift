import GFECore

/// Row alignments (see `RowPacking`) under which rows computed in Float get the same bits wherever their
/// group sits in the matrix: `decoder` for the decoder objective (what the encoders and the evaluation
/// use), `blas` for plain `gemm` products.
public enum RowAlignment {
    /// The smallest alignment under which `DecoderObjective<Float>` gives every row of its loss and ∇_z the
    /// same bits alone as at any aligned slot of a taller matrix; nil when none works. With the row-stable
    /// kernel active (`RowGemm.isActive`: AVX2 + FMA) its rows are position-independent by construction and
    /// this is 1 (no padding); otherwise the decoder's products run on BLAS and this is BLAS's alignment.
    /// Probed once per process (see `probeDecoder`), with the BLAS thread count in force at that moment.
    public static let decoder: Int? = probeDecoder()

    /// For plain `gemm` (BLAS) products: the smallest tested alignment A for which, for every probed shape,
    /// a group of rows padded to a multiple of A gives the same bits alone as at any A-aligned slot of a
    /// taller matrix; nil when none of the candidates works (grouped solving through this BLAS then cannot
    /// match sequential solving). An objective that multiplies with `gemm` itself needs this alignment;
    /// the decoder objective needs `decoder`.
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

    /// Runs the decoder probe now (see `decoder`): the decoder objective itself, on two small decoders whose
    /// layers cover the product shapes that matter (inner dimensions below and above the kernels' K blocks,
    /// widths that are not multiples of the register tiles), groups of 1, 7 and 16 rows in slots of
    /// matrices from one to forty slots tall. Loss and gradient rows are compared bit for bit.
    public static func probeDecoder() -> Int? {
        var rng = RNG(seed: 20_240_607, stream: "row-alignment-decoder-probe")
        let cases = [Architecture(name: "decoder", sizes: [20, 150, 64, 96]),
                     Architecture(name: "decoder", sizes: [20, 48, 784, 24])].map { architecture in
            let decoder = MLP<Float>(architecture: architecture, rng: &rng)
            let groups = [1, 7, 16].map { rows in
                (z: randomMatrix(rows: rows, cols: architecture.inputSize, &rng),
                 x: randomMatrix(rows: rows, cols: architecture.outputSize, &rng, 0, 1))
            }
            return (decoder, groups)
        }
        candidateLoop: for a in candidates {
            for (decoder, groups) in cases {
                for g in groups {
                    let rows = g.z.rows
                    let slot = RowPacking.slotRows(rows, alignment: a)
                    let alone = evaluate(decoder, padded(g.z, to: slot, slots: 1, at: 0), padded(g.x, to: slot, slots: 1, at: 0))
                    for (count, at) in [(2, 1), (5, 3), (40, 37)] {
                        let tall = evaluate(decoder, padded(g.z, to: slot, slots: count, at: at),
                                            padded(g.x, to: slot, slots: count, at: at))
                        for r in 0..<rows {
                            let (i, j) = (at * slot + r, r)
                            guard tall.loss[i].bitPattern == alone.loss[j].bitPattern,
                                  tall.gradient.row(i).map(\.bitPattern) == alone.gradient.row(j).map(\.bitPattern)
                            else { continue candidateLoop }
                        }
                    }
                }
            }
            return a
        }
        return nil
    }

    private static func evaluate(_ decoder: MLP<Float>, _ z: Matrix<Float>, _ x: Matrix<Float>)
        -> (loss: [Float], gradient: Matrix<Float>) {
        var objective = DecoderObjective(decoder: decoder, maxBatch: z.rows)
        var loss = [Float](repeating: 0, count: z.rows)
        var gradient = Matrix<Float>(rows: z.rows, cols: z.cols)
        objective.lossAndGradient(z: z, x: x, loss: &loss, gradient: &gradient)
        return (loss, gradient)
    }

    private static func randomMatrix(rows: Int, cols: Int, _ rng: inout RNG, _ lo: Float = -1, _ hi: Float = 1)
        -> Matrix<Float> {
        Matrix(rows: rows, cols: cols, storage: (0..<(rows * cols)).map { _ in rng.uniform(lo, hi) })
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
