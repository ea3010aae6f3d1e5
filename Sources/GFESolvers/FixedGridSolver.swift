import GFECore

/// The fixed-grid encoders of SPEC §4.2: gradient flow dz/dt = −α(t)∇_z L(z) or the 2nd-order Nesterov
/// system, integrated from z(0) = 0 (and v(0) = 0) over the grid t₀ … t_{N−1} with one Runge–Kutta step by
/// Kutta's 3/8 rule per interval [t_k, t_{k+1}], h = t_{k+1} − t_k:
///
///     k₁ = f(t, S);  k₂ = f(t + h/3, S + (h/3)k₁);  k₃ = f(t + 2h/3, S − (h/3)k₁ + h·k₂)
///     k₄ = f(t_{k+1}, S + h·k₁ − h·k₂ + h·k₃);  S ← S + (h/8)k₁ + (3h/8)k₂ + (3h/8)k₃ + (h/8)k₄
///
/// with S = z, f = −α(t)∇L(z) for gradient flow, and S = (z, v), f = (v, −(3/(t+ε))v − α(t)∇L(z)) for
/// Nesterov. Times and coefficients are Double, converted to `T` per use; states are `T`. Each interval
/// costs 4 objective evaluations, plus one at the end for ℓ and ∇ℓ at z* (N = 100: 397 in all).
///
/// Rows never interact, so a batch of any number of groups gives every row the same numbers as solving it
/// alone, whenever the objective's rows are position-independent (`LatentObjective`; the Float decoder's are).
/// A row whose loss, gradient or state becomes non-finite is frozen at its last grid point with
/// finite ℓ and ∇ℓ (result `nonFinite`, its final time that point's); the other rows carry on.
///
/// Stability is the caller's concern, as for any explicit method: on a direction of curvature λ a step is
/// stable only while α(t)·λ·h ≲ 2.8. The default log grid (τ = 1.5e4) steps from h ≈ 53 at α ≈ 1 to
/// h ≈ 209 at α ≈ 0.22, so curvatures above ≈ 0.05 make z grow (finite but meaningless) long before
/// anything turns non-finite.
public struct FixedGridSolver<O: LatentObjective> {
    public typealias T = O.T
    public let settings: FixedGridSettings
    /// The grid, computed once.
    public let times: [Double]
    private var ws = FixedGridWorkspace<T>()
    /// Extension point for the decoder gradients (DecoderGradientForwardRecord.swift): when non-nil during a
    /// solve, every objective evaluation appends its input state and ∇_z L here.
    var stageRecord: FixedGridStageRecord<T>?

    public init(settings: FixedGridSettings) throws(GFEError) {
        try settings.validate()
        self.settings = settings
        self.times = settings.times
    }

    /// Integrates for the images `x` (n×P) from z₀ = 0 (v₀ = 0). `layout` only groups the statistics.
    public mutating func solve(
        objective: inout O, x: Matrix<T>, layout: GroupLayout = .oneGroup
    ) throws(GFEError) -> FixedGridSolution<T> {
        let n = x.rows
        let d = objective.latentDim
        let ranges = try layout.ranges(rows: n)
        let nesterov = settings.dynamics == .nesterov
        let width = nesterov ? 2 * d : d
        let steps = times.count - 1
        var run = FixedGridRun(rows: n)
        var trajectory: FixedGridTrajectory<T>? =
            settings.recordTrajectory
            ? FixedGridTrajectory(times: times, z: [], v: nesterov ? [] : nil, sampleLosses: []) : nil

        if n > 0 {
            ws.prepare(rows: n, dim: d, width: width)
            for k in 0..<steps {
                let t = times[k]
                let tNext = times[k + 1]
                let h = tNext - t
                // Stage 1, at the grid point: also what z* falls back to if a later stage fails.
                evaluateStage(
                    &objective, x, input: .state, time: t, into: 0, run: &run, gridIndex: k, nesterov: nesterov)
                trajectory?.record(ws.state, losses: ws.lossSafe, dim: d)
                RowOps.combine(into: &ws.stage, ws.state, T(h / 3), ws.k[0])
                evaluateStage(
                    &objective, x, input: .stage, time: t + h / 3, into: 1, run: &run, gridIndex: nil,
                    nesterov: nesterov)
                RowOps.combine(into: &ws.stage, ws.state, T(-h / 3), ws.k[0], T(h), ws.k[1])
                evaluateStage(
                    &objective, x, input: .stage, time: t + 2 * h / 3, into: 2, run: &run, gridIndex: nil,
                    nesterov: nesterov)
                RowOps.combine(into: &ws.stage, ws.state, T(h), ws.k[0], T(-h), ws.k[1], T(h), ws.k[2])
                evaluateStage(
                    &objective, x, input: .stage, time: tNext, into: 3, run: &run, gridIndex: nil,
                    nesterov: nesterov)
                let (c1, c3) = (T(h / 8), T(3 * h / 8))
                RowOps.axpy(c1, ws.k[0], into: &ws.state)
                RowOps.axpy(c3, ws.k[1], into: &ws.state)
                RowOps.axpy(c3, ws.k[2], into: &ws.state)
                RowOps.axpy(c1, ws.k[3], into: &ws.state)
                ws.restoreFrozen(run.frozen, in: .state)
            }
            // The last grid point: ℓ and ∇ℓ at z*, no derivative needed.
            evaluateStage(
                &objective, x, input: .state, time: times[steps], into: nil, run: &run, gridIndex: steps,
                nesterov: nesterov)
            trajectory?.record(ws.state, losses: ws.lossSafe, dim: d)
        }

        let z = n > 0 ? RowOps.columns(ws.safe, 0..<d) : Matrix<T>(rows: 0, cols: d)
        let evaluations = n > 0 ? 4 * steps + 1 : 0
        let statistics = SolveStatistics(
            rowsTogether: ranges, evaluations: evaluations, sampleLoss: ws.lossSafe.prefix(n).map { Double($0) },
            sampleGradientNorm: Array(ws.normSafe.prefix(n)),
            sampleFinalTime: (0..<n).map { times[run.safeIndex[$0]] },
            sampleResult: (0..<n).map { run.frozen[$0] ? .nonFinite : .reachedTau }
        ) { r, g in
            g.attempts = max(evaluations - 1, 0)
            g.accepted = r.map { run.safeIndex[$0] }.min().map { min($0, steps) } ?? steps
            g.finalTime = times[g.accepted]
            g.result = r.contains(where: { run.frozen[$0] }) ? .nonFinite : .reachedTau
        }
        return FixedGridSolution(z: z, statistics: statistics, trajectory: trajectory)
    }

    /// Evaluates the objective at `input` (the state at a grid point, or the stage point) at time `time`,
    /// checks every live row, and writes the derivative f into `k[into]` (none for the final point).
    /// At a grid point (`gridIndex` set) rows that pass become the new safe state.
    private mutating func evaluateStage(
        _ objective: inout O, _ x: Matrix<T>, input: FixedGridWorkspace<T>.Buffer, time: Double, into slot: Int?,
        run: inout FixedGridRun, gridIndex: Int?, nesterov: Bool
    ) {
        ws.restoreFrozen(run.frozen, in: input)
        let n = x.rows
        if nesterov {
            RowOps.extractColumns(ws.buffer(input), 0..<objective.latentDim, into: &ws.zEval)
            objective.checkedLossAndGradient(z: ws.zEval, x: x, loss: &ws.loss, gradient: &ws.gradient)
        } else if input == .state {
            objective.checkedLossAndGradient(z: ws.state, x: x, loss: &ws.loss, gradient: &ws.gradient)
        } else {
            objective.checkedLossAndGradient(z: ws.stage, x: x, loss: &ws.loss, gradient: &ws.gradient)
        }

        for i in 0..<n where !run.frozen[i] {
            let finite =
                RowOps.finite(ws.loss, ws.gradient, from: i, count: 1)
                && (gridIndex == nil || RowOps.rowFinite(ws.state, row: i))
            if !finite {
                run.frozen[i] = true
                RowOps.copyRows(ws.safe, from: i, into: &ws.state, at: i, count: 1)
            } else if let gridIndex {
                RowOps.copyRows(ws.state, from: i, into: &ws.safe, at: i, count: 1)
                ws.lossSafe[i] = ws.loss[i]
                ws.normSafe[i] = RowOps.normInDouble(ws.gradient, row: i)
                run.safeIndex[i] = gridIndex
            }
        }
        stageRecord?.append(input: ws.buffer(input), gradient: ws.gradient)
        guard let slot else { return }
        let alpha = T(settings.alpha(time))
        if nesterov {
            let gamma = T(3 / (time + settings.epsilon))
            FixedGridWorkspace.nesterovDerivative(
                ws.buffer(input), ws.gradient, gamma: gamma, alpha: alpha,
                into: &ws.k[slot])
        } else {
            RowOps.scale(-alpha, ws.gradient, into: &ws.k[slot])
        }
    }
}

/// Per-row bookkeeping of one fixed-grid solve.
struct FixedGridRun {
    var frozen: [Bool]
    /// The grid index of each row's safe (last finite) state.
    var safeIndex: [Int]
    init(rows n: Int) {
        frozen = Array(repeating: false, count: n)
        safeIndex = Array(repeating: 0, count: n)
    }
}

/// The stored forward trajectory of a fixed-grid solve (`recordTrajectory`): z (and v) and every image's
/// loss at every grid point. Rows frozen as non-finite hold their last finite state from then on.
public struct FixedGridTrajectory<T: Scalar>: Sendable, Equatable {
    /// t₀ … t_{N−1}.
    public var times: [Double]
    /// z at every grid point (n×d each); `z[0]` is 0.
    public var z: [Matrix<T>]
    /// v at every grid point for the Nesterov system, nil for gradient flow.
    public var v: [Matrix<T>]?
    /// ℓᵢ at every grid point (n values each).
    public var sampleLosses: [[T]]

    mutating func record(_ state: Matrix<T>, losses: [T], dim d: Int) {
        z.append(RowOps.columns(state, 0..<d))
        if v != nil { v!.append(RowOps.columns(state, d..<(2 * d))) }
        sampleLosses.append(Array(losses.prefix(state.rows)))
    }
}

/// What a fixed-grid solve returns.
public struct FixedGridSolution<T: Scalar>: Sendable {
    /// z at the last grid point (n×d), or a frozen row's last finite state.
    public var z: Matrix<T>
    public var statistics: SolveStatistics
    public var trajectory: FixedGridTrajectory<T>?
}

/// Buffers of the fixed-grid solver, kept between solves. The state has width d (z) or 2d ([z | v]).
struct FixedGridWorkspace<T: Scalar> {
    enum Buffer { case state, stage }
    var state = Matrix<T>(rows: 0, cols: 0)
    var stage = Matrix<T>(rows: 0, cols: 0)
    var k: [Matrix<T>] = []
    var safe = Matrix<T>(rows: 0, cols: 0)
    var zEval = Matrix<T>(rows: 0, cols: 0)
    var gradient = Matrix<T>(rows: 0, cols: 0)
    var loss: [T] = []
    var lossSafe: [T] = []
    var normSafe: [Double] = []

    /// Zeroes the state (z₀ = 0, v₀ = 0) and sizes every buffer for n rows.
    mutating func prepare(rows n: Int, dim d: Int, width w: Int) {
        state = Matrix(rows: n, cols: w)
        safe = Matrix(rows: n, cols: w)
        func fit(_ m: inout Matrix<T>, _ cols: Int) {
            if m.cols != cols { m = Matrix(rows: n, cols: cols) } else { m.setRows(n) }
        }
        fit(&stage, w)
        if k.count != 4 { k = Array(repeating: Matrix(rows: n, cols: w), count: 4) }
        for i in 0..<4 { fit(&k[i], w) }
        fit(&zEval, d)
        fit(&gradient, d)
        loss.setCount(n)
        lossSafe = Array(repeating: .nan, count: n)
        normSafe = Array(repeating: .nan, count: n)
    }

    func buffer(_ b: Buffer) -> Matrix<T> { b == .state ? state : stage }

    /// Puts frozen rows back to their safe state in `b`, so they never feed NaN into an evaluation.
    mutating func restoreFrozen(_ frozen: [Bool], in b: Buffer) {
        for i in frozen.indices where frozen[i] {
            if b == .state {
                RowOps.copyRows(safe, from: i, into: &state, at: i, count: 1)
            } else {
                RowOps.copyRows(safe, from: i, into: &stage, at: i, count: 1)
            }
        }
    }

    /// out = (v, −γ·v − α·∇L) row by row, v the second half of the input state's columns.
    static func nesterovDerivative(
        _ src: Matrix<T>, _ gradient: Matrix<T>, gamma: T, alpha: T,
        into out: inout Matrix<T>
    ) {
        let d = gradient.cols
        let n = src.rows
        src.storage.withUnsafeBufferPointer { sp in
            gradient.storage.withUnsafeBufferPointer { gp in
                out.storage.withUnsafeMutableBufferPointer { kp in
                    for i in 0..<n {
                        let s = sp.baseAddress! + i * 2 * d
                        let o = kp.baseAddress! + i * 2 * d
                        o.update(from: s + d, count: d)
                        Kernels.axpby(o + d, -gamma, s + d, -alpha, gp.baseAddress! + i * d, d)
                    }
                }
            }
        }
    }
}
