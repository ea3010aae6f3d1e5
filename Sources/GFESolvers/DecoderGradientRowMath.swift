import GFECore

/// Small B×d (or B×2d) matrix operations of the decoder gradients' backward sweeps. They cost nothing next
/// to the decoder passes between them, so they favour clarity; whole-matrix updates go through `RowOps`.
enum DecoderGradientRowMath {
    /// A zero matrix of the given shape, reusing `m`'s storage when the shape already matches.
    static func zero<T: Scalar>(_ m: inout Matrix<T>, rows: Int, cols: Int) {
        if m.rows != rows || m.cols != cols { m = Matrix(rows: rows, cols: cols) } else { RowOps.fill(&m, 0) }
    }

    /// Sets the rows i with `keep[i] == false` to zero.
    static func zeroInactiveRows<T: Scalar>(_ m: inout Matrix<T>, keep: [Bool]) {
        let w = m.cols
        m.storage.withUnsafeMutableBufferPointer { p in
            for i in keep.indices where !keep[i] {
                for c in 0..<w { p[i * w + c] = 0 }
            }
        }
    }

    /// out (n × d) = s·m[:, columns] (m is n × w with w ≥ columns.upperBound).
    static func scaledColumns<T: Scalar>(_ m: Matrix<T>, _ columns: Range<Int>, by s: T, into out: inout Matrix<T>) {
        let n = m.rows
        let d = columns.count
        if out.rows != n || out.cols != d { out = Matrix(rows: n, cols: d) }
        let w = m.cols
        m.storage.withUnsafeBufferPointer { src in
            out.storage.withUnsafeMutableBufferPointer { dst in
                for i in 0..<n {
                    for c in 0..<d { dst[i * d + c] = s * src[i * w + columns.lowerBound + c] }
                }
            }
        }
    }

    /// m[:, columns] = x (x is n × columns.count).
    static func setColumns<T: Scalar>(_ m: inout Matrix<T>, _ columns: Range<Int>, to x: Matrix<T>) {
        precondition(x.rows == m.rows && x.cols == columns.count, "setColumns: shapes differ")
        let (n, d, w) = (m.rows, columns.count, m.cols)
        x.storage.withUnsafeBufferPointer { src in
            m.storage.withUnsafeMutableBufferPointer { dst in
                for i in 0..<n {
                    for c in 0..<d { dst[i * w + columns.lowerBound + c] = src[i * d + c] }
                }
            }
        }
    }

    /// out[:, d..<2d] = a·m[:, 0..<d] + b·m[:, d..<2d] for the n × 2d matrices of the Nesterov state.
    static func combineHalves<T: Scalar>(_ m: Matrix<T>, _ a: T, _ b: T, intoSecondHalfOf out: inout Matrix<T>) {
        precondition(m.rows == out.rows && m.cols == out.cols && m.cols % 2 == 0, "combineHalves: shapes differ")
        let (n, w) = (m.rows, m.cols)
        let d = w / 2
        m.storage.withUnsafeBufferPointer { src in
            out.storage.withUnsafeMutableBufferPointer { dst in
                for i in 0..<n {
                    for c in 0..<d { dst[i * w + d + c] = a * src[i * w + c] + b * src[i * w + d + c] }
                }
            }
        }
    }

    /// out = Σ_k c_k·m_k over equal shapes (the terms added in order).
    static func linearCombination<T: Scalar>(_ terms: [(T, Matrix<T>)], into out: inout Matrix<T>) {
        precondition(!terms.isEmpty)
        let first = terms[0].1
        if out.rows != first.rows || out.cols != first.cols { out = Matrix(rows: first.rows, cols: first.cols) }
        RowOps.scale(terms[0].0, first, into: &out)
        for (c, m) in terms.dropFirst() { RowOps.axpy(c, m, into: &out) }
    }

    /// The z part (first d columns) of a recorded state, as an n × d matrix (the state itself if it is n × d).
    static func latentPart<T: Scalar>(_ state: Matrix<T>, dim d: Int) -> Matrix<T> {
        state.cols == d ? state : RowOps.columns(state, 0..<d)
    }

    /// Row i of `keep`: the rows whose returned z* came from grid point index k > `interval`, i.e. the rows
    /// that went through interval [t_k, t_{k+1}].
    static func activeRows(interval k: Int, lastGridIndex: [Int]) -> [Bool] {
        lastGridIndex.map { k < $0 }
    }

    /// The grid index each row's returned z* belongs to, from the solve's `sampleFinalTime` (the time of the
    /// row's last finite grid point, an exact copy of a grid time).
    static func lastGridIndex(times: [Double], statistics: SolveStatistics) -> [Int] {
        statistics.sampleFinalTime.map { t in times.firstIndex(of: t) ?? (times.count - 1) }
    }
}

/// What the two reverse passes through a fixed-grid solve (adjoint, unrolled) read off their inputs: the
/// grid, the state's width (d, or 2d for Nesterov's (z, v)) and each row's last finite grid point.
struct ReverseGrid {
    let settings: FixedGridSettings
    let times: [Double]
    let steps: Int
    let nesterov: Bool
    let n: Int
    let d: Int
    let width: Int
    let lastGridIndex: [Int]

    init<T: Scalar>(
        settings: FixedGridSettings, stages: FixedGridStageRecord<T>, statistics: SolveStatistics,
        adjoint a0: Matrix<T>
    ) {
        self.settings = settings
        times = settings.times
        steps = times.count - 1
        precondition(stages.inputs.count == 4 * steps + 1, "fixed-grid stage record is incomplete")
        nesterov = settings.dynamics == .nesterov
        (n, d) = (a0.rows, a0.cols)
        width = nesterov ? 2 * d : d
        lastGridIndex = DecoderGradientRowMath.lastGridIndex(times: times, statistics: statistics)
    }
}

extension ReverseGrid {
    /// The reverse pass through the fixed-grid solve: the continuous adjoint, or the exact reverse mode of
    /// the steps (`unrolled`).
    func differentiate<T: Scalar>(
        _ mode: DecoderGradientMode, stages: FixedGridStageRecord<T>, adjoint a: Matrix<T>,
        objective: inout DecoderObjective<T>, x: Matrix<T>, passes: inout DecoderGradientPasses<T>,
        parameterGradient: inout [T], observeAdjoint: ((AdjointSweepStep) -> Void)? = nil
    ) {
        if mode == .adjoint {
            DecoderGradientAdjoint.fixedGrid(
                grid: self, stages: stages, adjoint: a, objective: &objective, x: x, passes: &passes,
                parameterGradient: &parameterGradient, observe: observeAdjoint)
        } else {
            DecoderGradientUnrolled.fixedGrid(
                grid: self, stages: stages, adjoint: a, objective: &objective, x: x, passes: &passes,
                parameterGradient: &parameterGradient)
        }
    }
}
