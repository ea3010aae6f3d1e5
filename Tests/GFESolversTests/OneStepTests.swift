import GFECore
import Testing

@testable import GFESolvers

@Suite struct OneStepTests {
    /// ℓ = ½(z − c)ᵀA(z − c): from z₀ = 0 the step is z* = −η·A(0 − c) = η·A·c.
    @Test func oneGradientStepFromZero() throws {
        let a = [[2.0, 0.5], [0.5, 1.0]]
        let c = [0.25, -0.75]
        let x: Matrix<Double> = matrix([QuadraticObjective<Double>.row(center: c, matrix: a)])
        var o = QuadraticObjective<Double>(dim: 2)
        var solver = try OneStepSolver<QuadraticObjective<Double>>(settings: OneStepSettings(eta: 0.5))
        let out = try solver.solve(objective: &o, x: x, z0: Matrix(rows: 1, cols: 2))
        let z = [0.5 * (2 * 0.25 + 0.5 * -0.75), 0.5 * (0.5 * 0.25 + 1 * -0.75)]  // η·A·c
        #expect(out.z.storage == z)
        let e = [z[0] - c[0], z[1] - c[1]]
        let g = [2 * e[0] + 0.5 * e[1], 0.5 * e[0] + e[1]]
        #expect(abs(out.statistics.sampleLoss[0] - 0.5 * (e[0] * g[0] + e[1] * g[1])) < 1e-15)
        #expect(abs(out.statistics.sampleGradientNorm[0] - (g[0] * g[0] + g[1] * g[1]).squareRoot()) < 1e-15)
        #expect(out.loss0 == [0.5 * (2 * 0.0625 + 2 * 0.5 * 0.25 * -0.75 + 0.5625)])
        #expect(out.gradient0.storage == [-(2 * 0.25 + 0.5 * -0.75), -(0.5 * 0.25 - 0.75)])
        let group = out.statistics.groups[0]
        #expect(group.evaluations == 2)
        #expect(group.accepted == 1)
        #expect(group.result == .reachedTau)
        #expect(group.finalTime == 0.5)
        #expect(o.calls == 2)
    }

    @Test func nonFiniteAfterTheStepFallsBackToZ0() throws {
        // ℓ(0) = ½; after the step (η = 1, A = 1, c = 1) z* = 1 and ℓ = 0 < θ = 0.1: NaN.
        let x: Matrix<Double> = matrix([
            QuadraticObjective<Double>.row(center: [1], matrix: [[1]], poison: 0.1),
            QuadraticObjective<Double>.row(center: [1], matrix: [[0.5]], poison: 0)
        ])
        var o = QuadraticObjective<Double>(dim: 1)
        var solver = try OneStepSolver<QuadraticObjective<Double>>(settings: OneStepSettings())
        let out = try solver.solve(objective: &o, x: x, z0: Matrix(rows: 2, cols: 1), layout: .groupSize(1))
        #expect(out.z.storage == [0, 0.5])
        #expect(out.statistics.sampleResult == [.nonFinite, .reachedTau])
        #expect(out.statistics.sampleLoss[0] == 0.5)
        #expect(out.statistics.groups.map(\.result) == [.nonFinite, .reachedTau])
    }
}
