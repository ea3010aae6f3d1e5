import GFECore
import Testing

@testable import GFESolvers

@Suite struct AMDStopRuleTests {
    /// numpy.gradient for unit spacing, written out as numpy documents it: one-sided first differences at
    /// the ends, central differences inside.
    static func numpyGradient(_ h: [Double]) -> [Double] {
        let n = h.count
        return (0..<n).map { i in
            if i == 0 { return h[1] - h[0] }
            if i == n - 1 { return h[n - 1] - h[n - 2] }
            return (h[i + 1] - h[i - 1]) / 2
        }
    }

    @Test func slopeIsTheMeanOfNumpyGradient() {
        // A literal case: numpy.gradient([1, 2, 4, 8, 16]) = [1, 1.5, 3, 6, 8], mean 3.9.
        #expect(abs(AMDStopRule.slope(1, 2, 4, 8, 16) - 3.9) < 1e-15)
        var rng = RNG(seed: 7)
        for _ in 0..<200 {
            let h = (0..<5).map { _ in rng.uniform(-1.0, 1.0) * Double(rng.below(1000) + 1) }
            let g = Self.numpyGradient(h)
            let mean = g.reduce(0, +) / 5
            let s = AMDStopRule.slope(h[0], h[1], h[2], h[3], h[4])
            #expect(abs(s - mean) <= 1e-14 * h.map(abs).max()!)
        }
    }

    @Test func historyNeedsWindowEntriesAndAStrictThreshold() {
        var h = LossHistory()
        for _ in 0..<4 { h.append(0.5) }
        #expect(!h.converged(window: 5, threshold: 1e-5))
        h.append(0.5)
        #expect(h.converged(window: 5, threshold: 1e-5))
        #expect(!h.converged(window: 6, threshold: 1e-5))
        #expect(!h.converged(window: 5, threshold: 0))  // |0| < 0 is false
        // Only the last five count: a large early change no longer matters.
        var k = LossHistory()
        k.append(100)
        for _ in 0..<5 { k.append(1) }
        #expect(k.converged(window: 5, threshold: 1e-5))
    }

    /// The stop rule on the authors' own record: their batch-mean losses, appended from t ≥ (1 − 0.98)·1e4,
    /// first satisfy the rule at accepted step 337, where their solve stopped.
    @Test func officialFixtureStopsAtStep337() {
        let times = OfficialFixture.acceptedTimes
        let means = OfficialFixture.meanLoss
        var history = LossHistory()
        var stoppedAt: Int?
        for k in 1..<times.count where times[k] >= (1 - 0.98) * 1e4 {
            history.append(means[k])
            if history.converged(window: 5, threshold: 1e-5) {
                stoppedAt = k
                break
            }
        }
        #expect(stoppedAt == 337)
        #expect(times.count == 338)
    }

    /// With a zero gradient every attempt is accepted, so the official constants give the authors' time
    /// sequence: steps 1, 1.1, 1.21, … up to 10. The Double arithmetic must reproduce their times exactly.
    @Test func officialTimeSequenceMatchesTheAuthorsBitForBit() throws {
        var s = AMDSettings.official
        s.threshold = 0  // never converge: run to τ
        s.record = .summary
        var objective = QuadraticObjective<Double>(dim: 1)
        var solver = try AMDSolver<QuadraticObjective<Double>>(settings: s)
        let zero: Matrix<Double> = matrix([QuadraticObjective<Double>.row(center: [0], matrix: [[0]])])
        let out = try solver.solve(objective: &objective, x: zero, z0: matrix([[0.3]]))
        let times = out.statistics.groups[0].acceptedTimes!
        #expect(Array(times.prefix(OfficialFixture.acceptedTimes.count)) == OfficialFixture.acceptedTimes)
        // And the reference CSV's full-length solves: 1016 accepted steps ending at 10008.347059 (τ overshot).
        #expect(out.statistics.groups[0].accepted == 1016)
        #expect(abs(out.statistics.groups[0].finalTime - 10008.347059) < 1e-6)
        #expect(out.statistics.groups[0].result == .reachedTau)
    }

    /// Constant loss (zero gradient): every history entry is equal, so the solve converges on the W-th entry.
    /// τ = 100, q = 0.97: entries from t ≥ 3; t runs 1, 2.1, 3.31, 4.641, 6.1051, 7.71561, 9.487171, so
    /// the 5th entry comes at the 7th step, t = 9.487171.
    @Test func convergesOnTheWindowthEntryWhenTheLossIsFlat() throws {
        var s = AMDSettings.official
        s.tau = 100
        s.startFraction = 0.97
        s.record = .summary
        var objective = QuadraticObjective<Double>(dim: 1)
        var solver = try AMDSolver<QuadraticObjective<Double>>(settings: s)
        let zero: Matrix<Double> = matrix([QuadraticObjective<Double>.row(center: [0], matrix: [[0]])])
        let out = try solver.solve(objective: &objective, x: zero, z0: matrix([[0.3]]))
        let g = out.statistics.groups[0]
        #expect(g.result == .converged)
        #expect(g.accepted == 7)
        let expected = [0, 1, 2.1, 3.31, 4.641, 6.1051, 7.71561, 9.487171]
        #expect(zip(g.acceptedTimes!, expected).allSatisfy { abs($0 - $1) < 1e-12 })
        #expect(abs(g.finalTime - 9.487171) < 1e-12)
    }

    /// ℓ = −s·z falls by dt·s² per step. Once dt = s_max = 10 the mean of numpy.gradient is −10·s².
    /// With 10·s² = c/2 the rule holds as soon as 5 entries exist: entries start at t ≥ 200, the first at
    /// t = 98.347… + 110 (step 36), so the solve stops at step 40, t = 248.347059…
    /// With 10·s² = 2c it never holds: the solve runs to τ (1016 steps, t = 10008.347059…).
    @Test func slopeDecidesConvergenceOfALinearDescent() throws {
        let c = 1e-5
        var s = AMDSettings.official
        s.record = .summary
        var objective = LinearSlopeObjective()
        var solver = try AMDSolver<LinearSlopeObjective>(settings: s)

        let slow = try solver.solve(objective: &objective, x: matrix([[(c / 20).squareRoot()]]), z0: matrix([[0]]))
        #expect(slow.statistics.groups[0].result == .converged)
        #expect(slow.statistics.groups[0].accepted == 40)
        #expect(abs(slow.statistics.groups[0].finalTime - 248.347059) < 1e-6)

        let fast = try solver.solve(objective: &objective, x: matrix([[(c / 5).squareRoot()]]), z0: matrix([[0]]))
        #expect(fast.statistics.groups[0].result == .reachedTau)
        #expect(fast.statistics.groups[0].accepted == 1016)
        #expect(fast.statistics.groups[0].rejected == 0)
    }
}
