import GFECore
import Testing

@testable import GFESolvers

/// AMD on 1-D quadratics ℓ(z) = ½·a·z² (c = 0), where every decision can be worked out by hand.
///
/// The trial point is z̃ = (1 − u)·z with u = a·dt, so ℓ − ℓ̃ = ½·a·z²·u(2 − u) and ‖∇ℓ(z̃)‖² = a²(1 − u)²z².
/// With σ·s_max = 1 (σ = 0.25, s_max = 4) the test ℓ − ℓ̃ ≥ σ·s_max·dt·‖∇ℓ̃‖² becomes
/// ½·u(2 − u) ≥ u(1 − u)², i.e. (for u > 0) u ≤ 1.5: accept iff dt ≤ 1.5/a. All numbers below are short
/// binary fractions, exact in Double, and no decision sits on the boundary.
@Suite struct AMDHandWorkedTests {
    /// σ·s_max = 1, s₀ = 1, κ = 1.5, β = 0.5; no convergence possible (c = 0), history only once t ≥ τ.
    static func settings(tau: Double, reductions: Int = 30) -> AMDSettings {
        var s = AMDSettings.official
        s.tau = tau
        s.initialStep = 1
        s.maxStep = 4
        s.kappa = 1.5
        s.beta = 0.5
        s.maxReductions = reductions
        s.sigma = 0.25
        s.jump = 10
        s.threshold = 0
        s.startFraction = 0
        s.record = .full
        return s
    }

    static func rows(_ curvatures: [Double], poison: Double? = nil) -> Matrix<Double> {
        matrix(curvatures.map { QuadraticObjective<Double>.row(center: [0], matrix: [[$0]], poison: poison) })
    }

    @Test func acceptRejectSequenceWithOvershoot() throws {
        // a = 0.5: accept iff dt ≤ 3. τ = 10. dt after an accept: min(max(1, 1.5·Δt), 4, 10 − t_prev).
        //  attempt  dt        decision  t after   next dt
        //  1        1         accept    1         min(1.5, 4, 10)      = 1.5
        //  2        1.5       accept    2.5       min(2.25, 4, 9)      = 2.25
        //  3        2.25      accept    4.75      min(3.375, 4, 7.5)   = 3.375
        //  4        3.375     reject              β·dt                 = 1.6875
        //  5        1.6875    accept    6.4375    min(2.53125, 4, 5.25) = 2.53125
        //  6        2.53125   accept    8.96875   min(3.796875, 4, 3.5625) = 3.5625  (capped by τ − t_prev)
        //  7        3.5625    reject              1.78125
        //  8        1.78125   accept    10.75     t ≥ τ: stop, overshooting τ by 0.75
        var objective = QuadraticObjective<Double>(dim: 1)
        var solver = try AMDSolver<QuadraticObjective<Double>>(settings: Self.settings(tau: 10))
        let out = try solver.solve(objective: &objective, x: Self.rows([0.5]), z0: matrix([[1]]))
        let g = out.statistics.groups[0]
        #expect(g.attempts == 8)
        #expect(g.evaluations == 9)
        #expect(g.accepted == 6)
        #expect(g.rejected == 2)
        #expect(g.forced == 0)
        #expect(g.result == .reachedTau)
        #expect(g.finalTime == 10.75)
        #expect(g.acceptedTimes == [0, 1, 2.5, 4.75, 6.4375, 8.96875, 10.75])
        let steps = [1, 1.5, 2.25, 1.6875, 2.53125, 1.78125]
        #expect(out.trajectory!.groups[0].stepSizes == steps)
        // z ← (1 − 0.5·dt)·z per accepted step.
        let factors = [0.5, 0.25, -0.125, 0.15625, -0.265625, 0.109375]
        var z = 1.0
        var expectedMeans = [0.25]
        for f in factors {
            z *= f
            expectedMeans.append(0.25 * z * z)
        }
        #expect(out.z[0, 0] == z)
        #expect(g.meanLossTrajectory == expectedMeans)
        #expect(out.statistics.sampleLoss == [0.25 * z * z])
        #expect(out.statistics.sampleGradientNorm == [abs(0.5 * z)])
        // One objective call per attempt plus the one at z₀.
        #expect(objective.calls == 9)
        #expect(out.statistics.objectiveCalls == 9)
    }

    @Test func oneImageThatForbidsAStepHoldsBackTheBatch() throws {
        // Row 1: a = 0.5 (accept iff dt ≤ 3); row 2: a = 1.75 (accept iff dt ≤ 6/7). τ = 2.
        // Every dt = 1 attempt fails on row 2 alone, so the whole batch takes dt = 0.5 steps:
        //  dt: 1 R, .5 A (t .5), 1 R, .5 A (t 1), 1 R, .5 A (t 1.5), 1 R, .5 A (t 2 = τ: stop).
        var objective = QuadraticObjective<Double>(dim: 1)
        var solver = try AMDSolver<QuadraticObjective<Double>>(settings: Self.settings(tau: 2))
        let both = try solver.solve(objective: &objective, x: Self.rows([0.5, 1.75]), z0: matrix([[1], [1]]))
        let g = both.statistics.groups[0]
        #expect(g.attempts == 8)
        #expect(g.accepted == 4)
        #expect(g.rejected == 4)
        #expect(g.acceptedTimes == [0, 0.5, 1, 1.5, 2])
        #expect(g.finalTime == 2)
        #expect(g.result == .reachedTau)
        #expect(both.z[0, 0] == 0.75 * 0.75 * 0.75 * 0.75)
        #expect(both.z[1, 0] == 0.125 * 0.125 * 0.125 * 0.125)

        // Row 1 on its own is never rejected: dt 1 (t 1), then min(1.5, 4, 2 − 0) = 1.5 (t 2.5).
        let alone = try solver.solve(objective: &objective, x: Self.rows([0.5]), z0: matrix([[1]]))
        #expect(alone.statistics.groups[0].acceptedTimes == [0, 1, 2.5])
        #expect(alone.statistics.groups[0].rejected == 0)
        #expect(alone.z[0, 0] == 0.5 * 0.25)
    }

    @Test func forcedAcceptsOnceDtFallsBelowBetaToTheK() throws {
        // a = 5: accept iff dt ≤ 0.3. K = 1: β^K = 0.5, forced when dt < 0.5. τ = 25, jump = 10.
        //  dt 1 R, 0.5 R (not < 0.5: tested, u = 2.5 fails), 0.25 forced: z ← (1 − 1.25)z, t 0 → 10,
        //      next dt = min(max(1, 15), 4, 25 − 0) = 4
        //  dt 4 R, 2 R, 1 R, 0.5 R, 0.25 forced: t 10 → 20, next dt = min(15, 4, 15) = 4
        //  dt 4 R, 2 R, 1 R, 0.5 R, 0.25 forced: Δt = min(10, 25 − 20) = 5, t = 25 = τ: stop.
        var objective = QuadraticObjective<Double>(dim: 1)
        var solver = try AMDSolver<QuadraticObjective<Double>>(settings: Self.settings(tau: 25, reductions: 1))
        let out = try solver.solve(objective: &objective, x: Self.rows([5]), z0: matrix([[1]]))
        let g = out.statistics.groups[0]
        #expect(g.attempts == 13)
        #expect(g.accepted == 3)
        #expect(g.forced == 3)
        #expect(g.rejected == 10)
        #expect(g.acceptedTimes == [0, 10, 20, 25])
        #expect(g.result == .reachedTau)
        #expect(out.trajectory!.groups[0].stepSizes == [0.25, 0.25, 0.25])
        #expect(out.z[0, 0] == -0.25 * -0.25 * -0.25)
    }

    @Test func budgetExhaustionKeepsTheLastAcceptedState() throws {
        // The first sequence above cut after 4 attempts: three accepts, then the rejected dt = 3.375.
        var s = Self.settings(tau: 10)
        s.maxAttempts = 4
        var objective = QuadraticObjective<Double>(dim: 1)
        var solver = try AMDSolver<QuadraticObjective<Double>>(settings: s)
        let out = try solver.solve(objective: &objective, x: Self.rows([0.5]), z0: matrix([[1]]))
        let g = out.statistics.groups[0]
        #expect(g.result == .budgetExhausted)
        #expect(g.attempts == 4)
        #expect(g.accepted == 3)
        #expect(g.rejected == 1)
        #expect(g.finalTime == 4.75)
        #expect(out.z[0, 0] == 0.5 * 0.25 * -0.125)
    }

    @Test func nonFiniteTrialStopsAtTheLastAcceptedPoint() throws {
        // Same sequence; the loss turns NaN below 0.01. After step 1 ℓ = ¼·0.5² = 0.0625; the second trial
        // (z = 0.125, ℓ ≈ 0.0039) is NaN: stop with z = 0.5, t = 1, 2 attempts, 1 accepted.
        var objective = QuadraticObjective<Double>(dim: 1)
        var solver = try AMDSolver<QuadraticObjective<Double>>(settings: Self.settings(tau: 10))
        let out = try solver.solve(objective: &objective, x: Self.rows([0.5], poison: 0.01), z0: matrix([[1]]))
        let g = out.statistics.groups[0]
        #expect(g.result == .nonFinite)
        #expect(g.attempts == 2)
        #expect(g.accepted == 1)
        #expect(g.finalTime == 1)
        #expect(out.z[0, 0] == 0.5)
        #expect(out.statistics.sampleLoss == [0.0625])
        #expect(out.statistics.sampleGradientNorm == [0.25])
        #expect(out.statistics.sampleResult == [.nonFinite])

        // An infinite gradient (threshold −0.01) is caught the same way.
        let inf = try solver.solve(objective: &objective, x: Self.rows([0.5], poison: -0.01), z0: matrix([[1]]))
        #expect(inf.statistics.groups[0].result == .nonFinite)
        #expect(inf.z[0, 0] == 0.5)
    }

    @Test func nonFiniteAtTheStartingPoint() throws {
        var objective = QuadraticObjective<Double>(dim: 1)
        var solver = try AMDSolver<QuadraticObjective<Double>>(settings: Self.settings(tau: 10))
        let out = try solver.solve(objective: &objective, x: Self.rows([0.5], poison: 1), z0: matrix([[1]]))
        let g = out.statistics.groups[0]
        #expect(g.result == .nonFinite)
        #expect(g.evaluations == 1)
        #expect(g.attempts == 0)
        #expect(g.finalTime == 0)
        #expect(out.z[0, 0] == 1)
        #expect(objective.calls == 1)
    }

    @Test func badInputIsReportedNotTrapped() throws {
        var objective = QuadraticObjective<Double>(dim: 1)
        var solver = try AMDSolver<QuadraticObjective<Double>>(settings: Self.settings(tau: 10))
        #expect(throws: GFEError.self) {
            _ = try solver.solve(objective: &objective, x: Self.rows([0.5, 1]), z0: matrix([[1]]))
        }
        #expect(throws: GFEError.self) {
            _ = try solver.solve(objective: &objective, x: Self.rows([0.5]), z0: matrix([[Double.nan]]))
        }
        #expect(throws: GFEError.self) {
            _ = try solver.solve(
                objective: &objective, x: Self.rows([0.5, 1]), z0: matrix([[1], [1]]),
                layout: .sizes([1, 2]))
        }
        var bad = Self.settings(tau: 10)
        bad.beta = 1
        #expect(throws: GFEError.self) { _ = try AMDSolver<QuadraticObjective<Double>>(settings: bad) }
    }
}
