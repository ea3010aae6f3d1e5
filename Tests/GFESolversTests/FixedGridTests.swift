import GFECore
import Testing

@testable import GFESolvers

#if canImport(Glibc)
import Glibc
#endif

@Suite struct FixedGridTests {
    static func settings(
        _ dynamics: FlowDynamics = .gradientFlow, grid: GridKind = .linear, points: Int,
        tau: Double, scaling: TimeScaling = .constant, record: Bool = false
    ) -> FixedGridSettings {
        var s = FixedGridSettings(dynamics: dynamics)
        s.grid = grid
        s.points = points
        s.tau = tau
        s.scaling = scaling
        s.recordTrajectory = record
        return s
    }

    /// 1-D quadratic rows ℓ = ½·a·(z − c)², as [c, a].
    static func rows(_ ca: [(c: Double, a: Double)]) -> Matrix<Double> {
        matrix(ca.map { QuadraticObjective<Double>.row(center: [$0.c], matrix: [[$0.a]]) })
    }

    static func solve(_ s: FixedGridSettings, _ x: Matrix<Double>) throws -> FixedGridSolution<Double> {
        var o = QuadraticObjective<Double>(dim: 1)
        var solver = try FixedGridSolver<QuadraticObjective<Double>>(settings: s)
        return try solver.solve(objective: &o, x: x)
    }

    @Test func gridTimes() {
        var s = FixedGridSettings()
        let log = s.times
        #expect(log.count == 100)
        #expect(log[0] == 0)
        #expect(abs(log[99] - 11250) < 1e-9)  // (τ/4)(4 − 1) = 0.75τ
        #expect(abs(log[1] - 3750 * (pow(4, 1.0 / 99) - 1)) < 1e-12)
        #expect(zip(log, log.dropFirst()).allSatisfy { $0 < $1 })
        s.grid = .linear
        s.points = 5
        s.tau = 8
        #expect(s.times == [0, 2, 4, 6, 8])
        #expect(FixedGridSettings().alpha(7500) == exp(-1.0))
    }

    /// dz/dt = −α(t)·a·(z − c), z(0) = 0 has z(t) = c(1 − exp(−a·∫₀ᵗα)); ∫α = t (constant) or
    /// (τ/2)(1 − e^{−2t/τ}) (exp). Kutta's 3/8 rule is 4th order: halving h divides the error by ≈ 16.
    @Test(arguments: [TimeScaling.constant, .exp])
    func fourthOrderConvergence(scaling: TimeScaling) throws {
        let tau = 4.0
        let a = 1.0
        let c = 1.0
        let integral = scaling == .constant ? tau : tau / 2 * (1 - exp(-2.0))
        let exact = c * (1 - exp(-a * integral))
        var errors: [Double] = []
        for n in [11, 21, 41, 81] {
            let out = try Self.solve(Self.settings(points: n, tau: tau, scaling: scaling), Self.rows([(c, a)]))
            errors.append(abs(out.z[0, 0] - exact))
        }
        for i in 1..<(errors.count - 1) {
            let ratio = errors[i] / errors[i + 1]
            #expect(ratio > 14.5 && ratio < 18, "error ratio \(ratio) for h → h/2 (errors \(errors))")
        }
        #expect(errors.last! < 1e-7)
    }

    /// The log grid (dense near 0) with α = exp(−2t/τ): one RK step per interval reaches the closed form at
    /// the grid's end, 0.75τ.
    @Test func logGridFollowsTheClosedForm() throws {
        let tau = 8.0
        let a = 0.7
        let c = -0.4
        let out = try Self.solve(
            Self.settings(grid: .log, points: 200, tau: tau, scaling: .exp),
            Self.rows([(c, a)]))
        let end = 0.75 * tau
        let exact = c * (1 - exp(-a * tau / 2 * (1 - exp(-2 * end / tau))))
        #expect(abs(out.z[0, 0] - exact) < 1e-9)
        #expect(out.statistics.groups[0].finalTime == out.statistics.sampleFinalTime[0])
        #expect(abs(out.statistics.groups[0].finalTime - end) < 1e-12)
    }

    /// z″ + (3/t)z′ + λ(z − c) = 0, z(0) = z′(0) = 0 (Su–Boyd–Candès with α = 1) has
    /// z(t) = c(1 − 2J₁(s t)/(s t)), z′(t) = 2c·s·J₂(s t)/(s t), s = √λ. The solver damps with 3/(t + ε),
    /// ε = 1e-5 (moving z(τ) by ~2e-7). The first step starts at the singular point t = 0, so it is only
    /// O(h²) accurate there; the damping then shrinks that error. Measured bounds (independently, in
    /// Python/SciPy with the same scheme) at N = 801: < 3e-6 for t ≥ 1, < 5e-7 at t = τ; at N = 201 over
    /// 100 times larger.
    static func besselDeviation(_ out: FixedGridSolution<Double>, lambdas: [Double], c: Double, from tMin: Double)
        throws -> Double
    {
        let trajectory = try #require(out.trajectory)
        let v = try #require(trajectory.v)
        var worst = 0.0
        for (k, t) in trajectory.times.enumerated() where t >= tMin {
            for (i, lambda) in lambdas.enumerated() {
                let s = lambda.squareRoot()
                let zExact = c * (1 - 2 * j1(s * t) / (s * t))
                let vExact = 2 * c * s * jn(2, s * t) / (s * t)
                worst = max(worst, abs(trajectory.z[k][i, 0] - zExact), abs(v[k][i, 0] - vExact))
            }
        }
        return worst
    }

    @Test func nesterovMatchesTheBesselSolution() throws {
        let tau = 20.0
        let c = 1.0
        let lambdas = [1.0, 0.25]
        let x = Self.rows(lambdas.map { (c, $0) })
        let fine = try Self.solve(Self.settings(.nesterov, points: 801, tau: tau, record: true), x)
        let coarse = try Self.solve(Self.settings(.nesterov, points: 201, tau: tau, record: true), x)
        #expect(fine.trajectory!.z.count == 801 && fine.trajectory!.v!.count == 801)
        #expect(fine.z == fine.trajectory!.z.last!)
        let fineError = try Self.besselDeviation(fine, lambdas: lambdas, c: c, from: 1)
        let coarseError = try Self.besselDeviation(coarse, lambdas: lambdas, c: c, from: 1)
        let endError = try Self.besselDeviation(fine, lambdas: lambdas, c: c, from: tau)
        #expect(fineError < 3e-6, "deviation from the Bessel solution for t ≥ 1: \(fineError)")
        #expect(endError < 5e-7, "deviation at t = τ: \(endError)")
        #expect(coarseError > 50 * fineError, "no convergence: \(coarseError) at N = 201, \(fineError) at N = 801")
    }

    @Test func statisticsAndTrajectory() throws {
        let out = try Self.solve(Self.settings(points: 11, tau: 2, record: true), Self.rows([(1, 1), (2, 0.5)]))
        let g = out.statistics.groups[0]
        #expect(g.evaluations == 41)
        #expect(g.attempts == 40)
        #expect(g.accepted == 10)
        #expect(g.result == .reachedTau)
        #expect(out.statistics.objectiveCalls == 41)
        let trajectory = try #require(out.trajectory)
        #expect(trajectory.v == nil)
        #expect(trajectory.z.count == 11 && trajectory.sampleLosses.count == 11)
        #expect(trajectory.z[0].storage == [0, 0])
        #expect(trajectory.sampleLosses[0] == [0.5, 1])  // ½·1·1², ½·0.5·2²
        #expect(trajectory.sampleLosses[10].map { Double($0) } == out.statistics.sampleLoss)
        for i in 0..<2 {
            let (c, a) = i == 0 ? (1.0, 1.0) : (2.0, 0.5)
            let z = out.z[i, 0]
            #expect(out.statistics.sampleLoss[i] == 0.5 * a * (z - c) * (z - c))
            #expect(out.statistics.sampleGradientNorm[i] == abs(a * (z - c)))
        }
    }

    /// ℓ = ½(z − 1)² along z = 1 − e^{−t} is ½e^{−2t}; poisoned below θ = 0.0944 ≈ ½e^{−2·0.833}. Grid step
    /// 0.2: every stage up to t = 0.8 has ℓ ≥ 0.1009 − (stage error ≈ 0.002), the interval from t = 0.8
    /// evaluates its second stage near t ≈ 0.867 (ℓ ≈ 0.088 < θ): that row freezes at t = 0.8 with
    /// z ≈ 1 − e^{−0.8}; the healthy row carries on, exactly as when solved alone.
    @Test func nonFiniteRowFreezesAtItsLastFiniteGridPoint() throws {
        let s = Self.settings(points: 21, tau: 4)
        let x: Matrix<Double> = matrix([
            QuadraticObjective<Double>.row(center: [1], matrix: [[1]], poison: 0),
            QuadraticObjective<Double>.row(center: [1], matrix: [[1]], poison: 0.0944)
        ])
        let out = try Self.solve(s, x)
        #expect(out.statistics.sampleResult == [.reachedTau, .nonFinite])
        #expect(abs(out.statistics.sampleFinalTime[1] - 0.8) < 1e-12)
        // Any 4-stage 4th-order RK maps z − 1 by R(−h) = 1 − h + h²/2 − h³/6 + h⁴/24 per step on this ODE.
        let h = 0.2
        let r = 1 - h + h * h / 2 - h * h * h / 6 + h * h * h * h / 24
        #expect(abs(out.z[1, 0] - (1 - r * r * r * r)) < 1e-14)
        #expect(abs(out.z[1, 0] - (1 - exp(-0.8))) < 1e-5)
        let z1 = out.z[1, 0]
        #expect(out.statistics.sampleLoss[1] == 0.5 * (z1 - 1) * (z1 - 1))
        #expect(out.statistics.groups[0].result == .nonFinite)
        #expect(out.statistics.groups[0].accepted == 4)
        #expect(out.z.storage.allSatisfy { $0.isFinite })
        let alone = try Self.solve(s, slice(x, 0..<1))
        #expect(out.z[0, 0] == alone.z[0, 0])
        #expect(alone.statistics.sampleResult == [.reachedTau])
    }

    @Test(arguments: [FlowDynamics.gradientFlow, .nesterov])
    func groupedEqualsSeparateSolves(dynamics: FlowDynamics) throws {
        var rng = RNG(seed: 21)
        let x: Matrix<Float> = randomQuadraticRows(count: 10, dim: 3, rng: &rng, scale: 0.1...2)
        var s = FixedGridSettings(dynamics: dynamics)
        s.points = 30
        s.tau = 30
        var o = QuadraticObjective<Float>(dim: 3)
        var solver = try FixedGridSolver<QuadraticObjective<Float>>(settings: s)
        let all = try solver.solve(objective: &o, x: x, layout: .groupSize(4))
        #expect(all.statistics.evaluatedRows == all.statistics.objectiveCalls * 10)  // every row once, no padding
        for r in try GroupLayout.groupSize(4).ranges(rows: 10) {
            var alone = try FixedGridSolver<QuadraticObjective<Float>>(settings: s)
            let part = try alone.solve(objective: &o, x: slice(x, r))
            #expect(part.z.storage == slice(all.z, r).storage)
        }
    }

    /// Through the engine's matrix product (`gemm`, for Float `RowGemm`): groups packed contiguously, no padding.
    @Test func groupedEqualsSeparateSolvesThroughGemm() throws {
        var rng = RNG(seed: 22)
        let n = 11
        let d = 20
        let p = 48
        let x = Matrix<Float>(rows: n, cols: p, storage: (0..<(n * p)).map { _ in rng.nextFloat() })
        var s = FixedGridSettings(dynamics: .nesterov)
        s.points = 20
        s.tau = 50
        let decoder = LinearDecoderObjective(dim: d, pixels: p, seed: 5)
        var o = decoder
        var solver = try FixedGridSolver<LinearDecoderObjective>(settings: s)
        let all = try solver.solve(objective: &o, x: x, layout: .groupSize(4))
        for r in try GroupLayout.groupSize(4).ranges(rows: n) {
            var alone = try FixedGridSolver<LinearDecoderObjective>(settings: s)
            let part = try alone.solve(objective: &o, x: slice(x, r))
            #expect(part.z.storage == slice(all.z, r).storage)
            #expect(part.statistics.sampleLoss == Array(all.statistics.sampleLoss[r]))
        }
    }
}
