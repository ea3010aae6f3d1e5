import Foundation
import GFECore
import GFETestSupport
import Testing

@testable import GFESolvers

/// The `implicit` decoder gradient: batched conjugate gradients on hand-made systems, the report of
/// non-positive curvature, and agreement with `unrolled` / `adjoint` as the forward solve converges.
@Suite struct DecoderGradientImplicitTests {
    typealias F = GradientFixture

    /// Row i of the product is Aᵢpᵢ for explicit 3 × 3 matrices; records which rows were asked for.
    final class ExplicitProducts {
        let matrices: [[[Double]]]
        var calls: [[Bool]] = []
        init(_ matrices: [[[Double]]]) { self.matrices = matrices }
        func apply(_ p: Matrix<Double>, _ active: [Bool], _ out: inout Matrix<Double>) {
            calls.append(active)
            for i in 0..<p.rows {
                for r in 0..<3 {
                    out[i, r] = active[i] ? (0..<3).reduce(0) { $0 + matrices[i][r][$1] * p[i, $1] } : .nan
                }
            }
        }
    }

    static let spd: [[Double]] = [[4, 1, 0.5], [1, 3, -0.25], [0.5, -0.25, 2]]

    @Test func solvesEachSampleAndReportsHowItEnded() {
        let uTrue = [0.3, -1.2, 0.7]
        let b0 = (0..<3).map { r in (0..<3).reduce(0.0) { $0 + Self.spd[r][$1] * uTrue[$1] } }
        let indefinite: [[Double]] = [[1, 0, 0], [0, -2, 0], [0, 0, 3]]
        // H = diag(1, −1, 1), b = (1, ½, 0): the first direction has pᵀHp = ¾ > 0; after one step
        // r = (−⅔, 4/3, 0), β = 16/9, p = (10/9, 20/9, 0) and pᵀHp = −300/81 < 0.
        let saddle: [[Double]] = [[1, 0, 0], [0, -1, 0], [0, 0, 1]]
        let products = ExplicitProducts([Self.spd, Self.spd, indefinite, saddle, Self.spd])
        let b = Matrix<Double>(rows: 5, cols: 3, storage: b0 + [0, 0, 0] + [0, 1, 0] + [1, 0.5, 0] + b0)
        let (u, stats) = BatchedConjugateGradient.solve(
            rhs: b, eligible: [true, true, true, true, false], tolerance: 1e-12, maxIterations: 10,
            product: products.apply)
        // Sample 0: the SPD system, solved (at most 3 iterations in exact arithmetic).
        #expect(stats.sampleResult[0] == .converged)
        #expect(stats.sampleIterations[0] <= 4)
        #expect(stats.sampleRelativeResidual[0] <= 1e-12)
        expectClose(u.row(0), uTrue, relative: 1e-12, absolute: 1e-12)
        // Sample 1: zero right-hand side, nothing to do.
        #expect(stats.sampleResult[1] == .converged && stats.sampleIterations[1] == 0 && u.row(1) == [0, 0, 0])
        // Samples 2 and 3: non-positive curvature reported at the first / second direction, u = 0.
        #expect(stats.sampleResult[2] == .nonPositiveCurvature && stats.sampleIterations[2] == 0)
        #expect(stats.sampleResult[3] == .nonPositiveCurvature && stats.sampleIterations[3] == 1)
        #expect(u.row(2) == [0, 0, 0] && u.row(3) == [0, 0, 0])
        // Sample 4: not eligible (its loss was non-finite), never multiplied.
        #expect(stats.sampleResult[4] == .nonFinite && u.row(4) == [0, 0, 0])
        #expect(products.calls.allSatisfy { !$0[1] && !$0[4] })
        #expect(stats.sampleGradientNorm[2] == 1 && stats.sampleGradientNorm[1] == 0)
        // One batched product per iteration of the longest solve.
        #expect(stats.hessianPasses == products.calls.count)
        #expect(stats.hessianPasses == max(stats.sampleIterations[0], 2))
        #expect(!stats.allConverged)
        #expect(stats.resultCounts == [.converged: 2, .nonPositiveCurvature: 2, .nonFinite: 1])
    }

    @Test func iterationBudgetKeepsTheLastIterate() {
        let b = Matrix<Double>(rows: 1, cols: 3, storage: [1, 2, -1])
        let (u, stats) = BatchedConjugateGradient.solve(
            rhs: b, eligible: [true], tolerance: 1e-12, maxIterations: 1, product: ExplicitProducts([Self.spd]).apply)
        #expect(stats.sampleResult == [.maxIterations] && stats.sampleIterations == [1])
        // One CG step from 0 is the steepest-descent step α·b, α = bᵀb / bᵀAb (here 6 / 22).
        // Ab = (5.5, 7.25, −2), bᵀAb = 5.5 + 14.5 + 2 = 22.
        let alpha = 6.0 / 22
        expectClose(u.row(0), [alpha, 2 * alpha, -alpha], relative: 1e-14, absolute: 0)
        #expect(stats.sampleRelativeResidual[0] > 1e-3)
    }

    /// A point of the tiny decoder where gᵀHg < 0 (checked by differences of the gradient): with the
    /// one-step encoder at η = 0, z* = z₀ there, and the implicit solve must report the curvature and give
    /// the approximate gradient.
    @Test func nonPositiveCurvatureAtZStarIsReported() throws {
        let x = F.images(1)
        let z0 = Matrix<Double>(rows: 1, cols: 2, storage: [1.25, 1.25])
        var objective = F.objective(F.decoder(), rows: 1)
        func gradient(_ z: [Double]) -> [Double] {
            var loss: [Double] = []
            var g = Matrix<Double>(rows: 1, cols: 2)
            objective.lossAndGradient(z: Matrix(rows: 1, cols: 2, storage: z), x: x, loss: &loss, gradient: &g)
            return g.storage
        }
        let g = gradient(z0.storage)
        let hg = FiniteDifferences.directionalDerivative(at: z0.storage, direction: g, step: 1e-4, of: gradient)
        let rayleigh = F.dot(g, hg) / F.dot(g, g)
        #expect(rayleigh < -5e-3, "the test point must have negative curvature along g (\(rayleigh))")

        let settings = EncoderSettings.oneStep(OneStepSettings(eta: 0))
        let (implicit, result) = try F.gradient(.implicit, encoder: settings, mlp: F.decoder(), x: x, z0: z0)
        let (approximate, _) = try F.gradient(.approximate, encoder: settings, mlp: F.decoder(), x: x, z0: z0)
        let solve = try #require(result.statistics.implicitSolve)
        #expect(solve.sampleResult == [.nonPositiveCurvature])
        #expect(solve.sampleIterations == [0])
        expectClose(solve.sampleGradientNorm, [F.dot(g, g).squareRoot()], relative: 1e-14, absolute: 0)
        expectClose(implicit, approximate, relative: 1e-13, absolute: 1e-16)
        #expect(result.statistics.parameterGradientIsFinite)
    }

    /// Targets near the decoder's range (σ(D(z_true)) plus noise, so ∂_θL ≠ 0 at the minimum) and a
    /// decoder with weights ×2, so the flow (linear grid, α = 1, h = 8) reaches small gradients. Measured:
    /// τ = 2000: max ‖∇ℓ‖ ≈ 5e-6, implicit vs unrolled corrections differ by 3%, full gradients by 5e-5;
    /// τ = 8000: ‖∇ℓ‖ ≈ 3e-10, corrections agree to 2e-6 and gradients to 1e-13.
    @Test func agreesWithUnrolledAndAdjointAsTheSolveConverges() throws {
        let mlp = try MLP<Double>(architecture: F.architecture, parameters: F.decoder().parameters.map { $0 * 2 })
        let y = mlp.forward(F.latents(3, seed: 99, scale: 1))
        let noise = F.images(3, seed: 5)
        let x = Matrix<Double>(
            rows: 3, cols: 7,
            storage: zip(y.storage, noise.storage).map {
                min(1, max(0, 1 / (1 + Foundation.exp(-$0)) + 0.2 * ($1 - 0.5)))
            })
        var gaps: [Double] = []
        var largestGradient: [Double] = []
        for tau in [2000.0, 8000] {
            var s = FixedGridSettings()
            s.grid = .linear
            s.scaling = .constant
            s.tau = tau
            s.points = Int(tau / 8) + 1
            let settings = EncoderSettings.fixedGrid(s)
            let (implicit, result) = try F.gradient(.implicit, encoder: settings, mlp: mlp, x: x)
            let (unrolled, _) = try F.gradient(.unrolled, encoder: settings, mlp: mlp, x: x)
            let (approximate, _) = try F.gradient(.approximate, encoder: settings, mlp: mlp, x: x)
            let solve = try #require(result.statistics.implicitSolve)
            #expect(solve.allConverged, "τ = \(tau): \(solve.sampleResult)")
            largestGradient.append(solve.sampleGradientNorm.max()!)
            expectClose(
                solve.sampleGradientNorm, result.encoding.statistics.sampleGradientNorm,
                relative: 1e-12, absolute: 1e-20)
            let correctionU = zip(unrolled, approximate).map { $0 - $1 }
            let correctionI = zip(implicit, approximate).map { $0 - $1 }
            gaps.append(DecoderGradientAdjointTests.relativeDistance(correctionI, correctionU))
            let full = DecoderGradientAdjointTests.relativeDistance(implicit, unrolled)
            #expect(full < (tau < 5000 ? 1e-3 : 1e-10), "τ = \(tau): |implicit − unrolled|/|unrolled| = \(full)")
            if tau > 5000 {
                let (adjoint, _) = try F.gradient(.adjoint, encoder: settings, mlp: mlp, x: x)
                #expect(DecoderGradientAdjointTests.relativeDistance(implicit, adjoint) < 1e-10)
            }
        }
        #expect(largestGradient[1] < largestGradient[0] / 100, "\(largestGradient)")
        #expect(gaps[0] < 0.1 && gaps[1] < gaps[0] / 100, "corrections' relative gap \(gaps)")
    }
}
