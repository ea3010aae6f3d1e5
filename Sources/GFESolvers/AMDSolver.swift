import GFECore

/// AMD, adaptive minimise distance (SPEC §4.1): explicit Euler on dz/dt = −∇_z L with a backtracking step
/// shared by each group of images, for G independent groups solved together.
///
/// Contract, per group (B rows sharing t, dt, history and stop; one image per group in `sample` mode):
///
///     t ← 0; z ← z₀; ℓ, g ← ℓ(z), ∇ℓ(z); dt ← s₀
///     while t < τ:
///         z̃ ← z − T(dt)·g;  ℓ̃, g̃ ← ℓ(z̃), ∇ℓ(z̃)           (one objective evaluation: an attempt)
///         if dt < β^K:  Δt ← min(jump, τ − t)                (forced accept, whatever the test says)
///         elif ℓᵢ − ℓ̃ᵢ ≥ T(σ·dt·s_max)·‖g̃ᵢ‖² for all i:  Δt ← dt
///         else: dt ← β·dt; continue
///         t_prev ← t; t ← t + Δt; z, ℓ, g ← z̃, ℓ̃, g̃        (the trial's values are reused, never recomputed)
///         dt ← min(max(s₀, κ·Δt), s_max, τ − t_prev)
///         if t ≥ (1 − q)·τ: append the group-mean loss; stop (converged) when the stop rule holds
///
/// t and dt are Double; z, ℓ and g are `T`; the acceptance test is evaluated in `T` (as the authors' code:
/// Float loss difference against Float(σ·dt·s_max)·Float ‖g̃‖²); the history holds the group mean of the
/// `T` losses summed in Double. The loop always ends: a run of rejections shrinks dt geometrically until
/// dt < β^K forces an accept, and every accept advances t (by dt ≥ β^K or by the jump), so "line-search
/// failure" shows up only as a forced accept, counted in the statistics.
///
/// Grouped solving: each round evaluates the trial points of all still-active groups as one tall matrix
/// (active groups' rows compacted in group order, contiguously) through one objective call. When the
/// objective gives each row the same bits wherever it sits (analytic objectives, and every objective whose
/// Float products go through `gemm`, the engine's kernel: see `RowGemm`), every group gets the same numbers
/// as when solved on its own, bit for bit; only the number of calls changes.
/// The workspace is kept between solves, so after the first solve of the largest size no round allocates
/// (recording trajectories does allocate).
///
/// Non-finite loss or gradient (at z₀ or at a trial point) ends that group with `nonFinite`, keeping its
/// last accepted state; `maxAttempts` ends it with `budgetExhausted`.
public struct AMDSolver<O: LatentObjective> {
    public typealias T = O.T
    public let settings: AMDSettings
    private var ws = AMDWorkspace<T>()
    /// Extension point for the decoder gradients (`LatentEncoder.encode(…, recordForward:)`): when set, a
    /// solve records at this level instead of `settings.record`.
    var recordOverride: AMDRecording?

    /// Validates the settings (a `GFEError.badInput` names any out-of-range constant).
    public init(settings: AMDSettings) throws(GFEError) {
        try settings.validate()
        self.settings = settings
    }

    /// Solves for z* from `z0` (n×d) for the images `x` (n×P, row i the target of row i), the rows split
    /// into groups by `layout` (ignored in `sample` step control, where each image is a group of one).
    /// Throws `GFEError.badInput` for mismatched shapes, a non-finite z₀ or a bad layout.
    public mutating func solve(
        objective: inout O, x: Matrix<T>, z0: Matrix<T>, layout: GroupLayout = .oneGroup
    ) throws(GFEError) -> AMDSolution<T> {
        let n = x.rows
        let d = objective.latentDim
        try InitialPoint.check(z0, images: n, dim: d, solver: "AMD")
        let callerRanges = try layout.ranges(rows: n)
        let ranges = settings.stepControl == .sample ? (0..<n).map { $0..<($0 + 1) } : callerRanges
        let s = settings
        let record = recordOverride ?? s.record
        let recordSummary = record != .none
        let recordFull = record == .full

        var groups = ranges.map { r in
            AMDGroupState<T>(
                rows: r, dt: s.initialStep,
                stats: GroupStatistics(rowStart: r.lowerBound, rowCount: r.count),
                trajectory: recordFull ? AMDGroupTrajectory<T>() : nil)
        }
        var calls = 0
        var evaluatedRows = 0
        if n > 0 {
            ws.prepare(rows: n, dim: d, imageWidth: x.cols)
            RowOps.copyRows(z0, from: 0, into: &ws.zCur, at: 0, count: n)
        }

        // Round 0 evaluates z₀ through the same packed layout as every later round (so a group's first
        // evaluation is also position-independent); round k > 0 evaluates the trial points.
        var active = Array(groups.indices)
        var layoutChanged = true
        var packedRows = 0
        var packedX = false
        let constants = AMDConstants(s)
        var firstRound = true
        while !active.isEmpty {
            if layoutChanged {
                (packedRows, packedX) = compact(&groups, active: active, x: x)
                layoutChanged = false
            }
            for gi in active {
                let g = groups[gi]
                if firstRound {
                    RowOps.copyRows(
                        ws.zCur, from: g.rows.lowerBound, into: &ws.zTrial, at: g.offset,
                        count: g.rows.count)
                } else {
                    RowOps.eulerStep(
                        into: &ws.zTrial, at: g.offset, ws.zCur, T(g.dt), ws.gCur,
                        from: g.rows.lowerBound, count: g.rows.count)
                }
            }
            if packedX {
                objective.checkedLossAndGradient(z: ws.zTrial, x: ws.xActive, loss: &ws.lossTrial, gradient: &ws.gTrial)
            } else {
                objective.checkedLossAndGradient(z: ws.zTrial, x: x, loss: &ws.lossTrial, gradient: &ws.gTrial)
            }
            calls += 1
            evaluatedRows += packedRows

            var kept = 0
            for k in active.indices {
                let gi = active[k]
                let finished =
                    firstRound
                    ? Self.start(&groups[gi], ws: &ws, recordSummary: recordSummary)
                    : Self.advance(&groups[gi], ws: &ws, constants: constants, recordSummary: recordSummary)
                if finished {
                    layoutChanged = true
                } else {
                    active[kept] = gi
                    kept += 1
                }
            }
            active.removeLast(active.count - kept)
            firstRound = false
        }

        return assemble(
            groups: groups, n: n, d: d, calls: calls, evaluatedRows: evaluatedRows,
            recordFull: recordFull)
    }

    /// Assigns each active group its rows of the trial matrices (in group order, contiguously) and gathers
    /// their images into `xActive` unless the layout is the natural one.
    /// Returns the matrix height and whether `xActive` is to be used.
    private mutating func compact(_ groups: inout [AMDGroupState<T>], active: [Int], x: Matrix<T>)
        -> (rows: Int, packedX: Bool)
    {
        var offset = 0
        var natural = active.count == groups.count
        for gi in active {
            if offset != groups[gi].rows.lowerBound { natural = false }
            groups[gi].offset = offset
            offset += groups[gi].rows.count
        }
        if offset != x.rows { natural = false }
        ws.zTrial.setRows(offset)
        ws.gTrial.setRows(offset)
        ws.lossTrial.setCount(offset)
        if !natural {
            ws.xActive.setRows(offset)
            for gi in active {
                RowOps.copyRows(
                    x, from: groups[gi].rows.lowerBound, into: &ws.xActive, at: groups[gi].offset,
                    count: groups[gi].rows.count)
            }
        }
        return (offset, !natural)
    }

    /// Takes a group's evaluation at z₀ (round 0). Returns true when the group is already finished
    /// (non-finite at z₀).
    private static func start(_ g: inout AMDGroupState<T>, ws: inout AMDWorkspace<T>, recordSummary: Bool) -> Bool {
        let r = g.rows
        RowOps.copyRows(ws.gTrial, from: g.offset, into: &ws.gCur, at: r.lowerBound, count: r.count)
        RowOps.copyElements(ws.lossTrial, from: g.offset, into: &ws.lossCur, at: r.lowerBound, count: r.count)
        g.stats.evaluations = 1
        if recordSummary {
            g.stats.acceptedTimes = [0]
            g.stats.meanLossTrajectory = [RowOps.meanInDouble(ws.lossCur, from: r.lowerBound, count: r.count)]
        }
        g.trajectory?.record(time: 0, step: nil, ws: ws, rows: r)
        guard RowOps.finite(ws.lossCur, ws.gCur, from: r.lowerBound, count: r.count) else {
            g.finish(.nonFinite)
            return true
        }
        return false
    }

    /// Processes one group's attempt whose trial values sit in the trial matrices at the group's offset.
    /// Returns true when the group has finished.
    private static func advance(
        _ g: inout AMDGroupState<T>, ws: inout AMDWorkspace<T>, constants c: AMDConstants, recordSummary: Bool
    ) -> Bool {
        let o = g.offset
        let r0 = g.rows.lowerBound
        let count = g.rows.count
        g.stats.attempts += 1
        g.stats.evaluations += 1
        guard RowOps.finite(ws.lossTrial, ws.gTrial, from: o, count: count) else {
            g.finish(.nonFinite)
            return true
        }

        let dtUsed = g.dt
        let deltaT: Double
        if dtUsed < c.forcedBelow {
            deltaT = min(c.jump, c.tau - g.t)
            g.stats.forced += 1
        } else if Self.sufficientDecrease(
            ws: ws, trialRow: o, currentRow: r0, count: count,
            coefficient: T(c.sigma * dtUsed * c.maxStep))
        {
            deltaT = dtUsed
        } else {
            g.dt = c.beta * dtUsed
            g.stats.rejected += 1
            return g.budgetExhausted(c.maxAttempts)
        }

        g.stats.accepted += 1
        let tPrev = g.t
        g.t = tPrev + deltaT
        RowOps.copyRows(ws.zTrial, from: o, into: &ws.zCur, at: r0, count: count)
        RowOps.copyRows(ws.gTrial, from: o, into: &ws.gCur, at: r0, count: count)
        RowOps.copyElements(ws.lossTrial, from: o, into: &ws.lossCur, at: r0, count: count)
        g.dt = min(max(c.initialStep, c.kappa * deltaT), c.maxStep, c.tau - tPrev)

        if recordSummary || g.t >= c.historyStart {
            let mean = RowOps.meanInDouble(ws.lossCur, from: r0, count: count)
            if recordSummary {
                g.stats.acceptedTimes?.append(g.t)
                g.stats.meanLossTrajectory?.append(mean)
            }
            g.trajectory?.record(time: g.t, step: dtUsed, ws: ws, rows: g.rows)
            if g.t >= c.historyStart {
                g.history.append(mean)
                if g.history.converged(window: c.window, threshold: c.threshold) {
                    g.finish(.converged)
                    return true
                }
            }
        }
        if !(g.t < c.tau) {
            g.finish(.reachedTau)
            return true
        }
        return g.budgetExhausted(c.maxAttempts)
    }

    /// ℓᵢ − ℓ̃ᵢ ≥ coefficient·‖g̃ᵢ‖² for every row of the group, in `T`.
    private static func sufficientDecrease(
        ws: AMDWorkspace<T>, trialRow o: Int, currentRow r0: Int, count: Int, coefficient: T
    ) -> Bool {
        for k in 0..<count {
            let decrease = ws.lossCur[r0 + k] - ws.lossTrial[o + k]
            if !(decrease >= coefficient * RowOps.squaredNorm(ws.gTrial, row: o + k)) { return false }
        }
        return true
    }

    private func assemble(
        groups: [AMDGroupState<T>], n: Int, d: Int, calls: Int, evaluatedRows: Int,
        recordFull: Bool
    ) -> AMDSolution<T> {
        let z = n > 0 ? RowOps.rows(ws.zCur, from: 0, count: n) : Matrix<T>(rows: 0, cols: d)
        var loss = [Double](repeating: 0, count: n)
        var norm = [Double](repeating: 0, count: n)
        var finalTime = [Double](repeating: 0, count: n)
        var result = [SolveResult](repeating: .reachedTau, count: n)
        var groupOf = [Int](repeating: 0, count: n)
        for (gi, g) in groups.enumerated() {
            for i in g.rows {
                loss[i] = Double(ws.lossCur[i])
                norm[i] = RowOps.normInDouble(ws.gCur, row: i)
                finalTime[i] = g.stats.finalTime
                result[i] = g.stats.result
                groupOf[i] = gi
            }
        }
        let statistics = SolveStatistics(
            groups: groups.map(\.stats), sampleLoss: loss, sampleGradientNorm: norm, sampleFinalTime: finalTime,
            sampleResult: result, sampleGroup: groupOf, objectiveCalls: calls, evaluatedRows: evaluatedRows)
        let trajectory = recordFull ? AMDTrajectory(groups: groups.map { $0.trajectory! }) : nil
        return AMDSolution(z: z, statistics: statistics, trajectory: trajectory)
    }
}

/// The settings as the hot loop reads them (β^K and (1 − q)·τ computed once).
struct AMDConstants {
    let tau, initialStep, maxStep, kappa, beta, sigma, jump, threshold: Double
    let forcedBelow: Double
    let historyStart: Double
    let window: Int
    let maxAttempts: Int?

    init(_ s: AMDSettings) {
        tau = s.tau
        initialStep = s.initialStep
        maxStep = s.maxStep
        kappa = s.kappa
        beta = s.beta
        sigma = s.sigma
        jump = s.jump
        threshold = s.threshold
        window = s.window
        maxAttempts = s.maxAttempts
        forcedBelow = s.forcedAcceptBelow
        historyStart = (1 - s.startFraction) * s.tau
    }
}

/// One group's step-size state.
struct AMDGroupState<T: Scalar> {
    let rows: Range<Int>
    var t = 0.0
    var dt: Double
    var history = LossHistory()
    var stats: GroupStatistics
    var trajectory: AMDGroupTrajectory<T>?
    /// First row of this group in the compacted trial matrices.
    var offset = 0

    init(rows: Range<Int>, dt: Double, stats: GroupStatistics, trajectory: AMDGroupTrajectory<T>?) {
        self.rows = rows
        self.dt = dt
        self.stats = stats
        self.trajectory = trajectory
    }

    mutating func finish(_ result: SolveResult) {
        stats.result = result
        stats.finalTime = t
    }

    /// Ends the group with `budgetExhausted` once its attempts reach the budget.
    mutating func budgetExhausted(_ maxAttempts: Int?) -> Bool {
        guard let m = maxAttempts, stats.attempts >= m else { return false }
        finish(.budgetExhausted)
        return true
    }
}

extension AMDGroupTrajectory {
    /// Appends the current (accepted) state of `rows`.
    mutating func record(time: Double, step: Double?, ws: AMDWorkspace<T>, rows: Range<Int>) {
        times.append(time)
        if let step { stepSizes.append(step) }
        states.append(RowOps.rows(ws.zCur, from: rows.lowerBound, count: rows.count))
        sampleLosses.append(Array(ws.lossCur[rows]))
    }
}

/// Buffers reused across solves: the current state of every row (z, ℓ, ∇ℓ) and the compacted trial
/// matrices of the active rows.
struct AMDWorkspace<T: Scalar> {
    var zCur = Matrix<T>(rows: 0, cols: 0)
    var gCur = Matrix<T>(rows: 0, cols: 0)
    var lossCur: [T] = []
    var zTrial = Matrix<T>(rows: 0, cols: 0)
    var gTrial = Matrix<T>(rows: 0, cols: 0)
    var lossTrial: [T] = []
    var xActive = Matrix<T>(rows: 0, cols: 0)

    /// Sizes every buffer for n rows; capacity only grows, so repeated solves of ≤ n rows do not allocate.
    mutating func prepare(rows n: Int, dim d: Int, imageWidth p: Int) {
        func fit(_ m: inout Matrix<T>, _ cols: Int) {
            if m.cols != cols { m = Matrix(rows: n, cols: cols) } else { m.setRows(n) }
        }
        fit(&zCur, d)
        fit(&gCur, d)
        fit(&zTrial, d)
        fit(&gTrial, d)
        fit(&xActive, p)
        lossCur.setCount(n)
        lossTrial.setCount(n)
    }
}
