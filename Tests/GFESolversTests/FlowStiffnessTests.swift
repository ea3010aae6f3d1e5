import GFECore
import GFETestSupport
import Testing

@testable import GFESolvers

/// `FlowStiffness` (what `gfe replay` measures): the eigenvalue routine on hand-worked matrices, the
/// Hessians against finite differences of the gradient, the Runge–Kutta stability factor and its limit; and
/// the adjoint's trace (`observeAdjoint`), which must not change a number.
@Suite struct FlowStiffnessTests {
    typealias F = GradientFixture

    @Test func eigenvaluesOfHandWorkedMatrices() {
        // [[2, 1], [1, 2]]: eigenvalues 1 and 3.
        let two = FlowStiffness.eigenvalues([2, 1, 1, 2], size: 2)
        #expect(abs(two[0] - 1) < 1e-14 && abs(two[1] - 3) < 1e-14)
        // Q·diag(−1, 0.5, 4)·Qᵀ with Q a rotation by 30° about (0, 0, 1) then 45° about (1, 0, 0).
        let (c1, s1) = (3.0.squareRoot() / 2, 0.5)
        let (c2, s2) = (0.5.squareRoot(), 0.5.squareRoot())
        let r1: [[Double]] = [[c1, -s1, 0], [s1, c1, 0], [0, 0, 1]]
        let r2: [[Double]] = [[1, 0, 0], [0, c2, -s2], [0, s2, c2]]
        var q = [[Double]](repeating: [0, 0, 0], count: 3)
        for i in 0..<3 { for j in 0..<3 { for k in 0..<3 { q[i][j] += r2[i][k] * r1[k][j] } } }
        let d: [Double] = [-1, 0.5, 4]
        var a = [Double](repeating: 0, count: 9)
        for i in 0..<3 { for j in 0..<3 { for k in 0..<3 { a[i * 3 + j] += q[i][k] * d[k] * q[j][k] } } }
        let three = FlowStiffness.eigenvalues(a, size: 3)
        for (got, want) in zip(three, d) { #expect(abs(got - want) < 1e-13, "\(three)") }
        #expect(FlowStiffness.eigenvalues([1, .nan, .nan, 1], size: 2).allSatisfy { $0.isNaN })
        #expect(FlowStiffness.eigenvalues([5], size: 1) == [5])
    }

    /// |R(−x)| = 1 at the limit, below 1 inside (0, limit), above it beyond.
    @Test func rungeKuttaFactorAndLimit() {
        let limit = FlowStiffness.rungeKuttaLimit
        #expect(abs(FlowStiffness.amplification(limit) - 1) < 1e-12)
        #expect(FlowStiffness.amplification(0) == 1)
        for i in 1..<100 {
            let x = limit * Double(i) / 100
            #expect(FlowStiffness.amplification(x) < 1, "x = \(x)")
        }
        #expect(FlowStiffness.amplification(limit + 1e-6) > 1)
        #expect(abs(FlowStiffness.amplification(4) - 5) < 1e-12)  // 1 − 4 + 16/2 − 64/6 + 256/24 = 5
    }

    /// Each row's Hessian against central differences of that row's gradient ∇_z ℓᵢ, in Double.
    @Test func hessiansMatchDifferencesOfTheGradient() {
        let x = F.images(3)
        let z = F.latents(3)
        var objective = F.objective(F.decoder(), rows: 3)
        let hessians = FlowStiffness.hessians(objective: &objective, z: z, x: x)
        let d = z.cols
        for r in 0..<3 {
            for j in 0..<d {
                var unit = [Double](repeating: 0, count: d)
                unit[j] = 1
                let column = FiniteDifferences.directionalDerivative(at: z.row(r), direction: unit, step: 1e-5) {
                    point in
                    var o = F.objective(F.decoder(), rows: 1)
                    var loss: [Double] = []
                    var g = Matrix<Double>(rows: 1, cols: d)
                    _ = o.lossAndGradient(
                        z: Matrix(rows: 1, cols: d, storage: point),
                        x: Matrix(rows: 1, cols: x.cols, storage: x.row(r)),
                        loss: &loss, gradient: &g)
                    return g.storage
                }
                for i in 0..<d {
                    let got = hessians[r][i * d + j]
                    #expect(abs(got - column[i]) < 1e-8 * max(1, abs(column[i])), "row \(r) H[\(i), \(j)]")
                }
            }
        }
        let largest = FlowStiffness.largestEigenvalues(objective: &objective, z: z, x: x)
        for r in 0..<3 {
            #expect(largest[r] == FlowStiffness.eigenvalues(hessians[r], size: d).last)
        }
    }

    /// Observing the adjoint's sweep changes no bit of the gradient; it sees every interval once, backwards,
    /// at the grid's times, and Float and Double agree on the norms of a benign problem.
    @Test func adjointTraceChangesNothingAndSeesEveryInterval() throws {
        var s = FixedGridSettings()
        s.points = 9
        s.tau = 60
        let times = s.times
        let x = F.images(3)
        func run<T: Scalar>(_ mlp: MLP<T>, _ x: Matrix<T>, observe: Bool) throws -> ([T], [AdjointSweepStep]) {
            var encoder = try LatentEncoder<DecoderObjective<T>>(.fixedGrid(s))
            var objective = DecoderObjective(decoder: mlp, maxBatch: x.rows)
            var rng = RNG(seed: 1, stream: "unused")
            var g: [T] = []
            var steps: [AdjointSweepStep] = []
            _ = try DecoderGradient.encodeAndGradient(
                settings: DecoderGradientSettings(mode: .adjoint), encoder: &encoder, objective: &objective, x: x,
                rng: &rng, parameterGradient: &g, observeAdjoint: observe ? { steps.append($0) } : nil)
            return (g, steps)
        }
        let wide = F.decoder()
        let (plain, none) = try run(wide, x, observe: false)
        let (observed, steps) = try run(wide, x, observe: true)
        #expect(none.isEmpty)
        #expect(plain == observed)
        #expect(steps.map(\.interval) == Array((0..<8).reversed()))
        #expect(steps.map(\.time) == Array(times[0..<8].reversed()))
        #expect(zip(steps, steps.map { times[$0.interval + 1] - times[$0.interval] }).allSatisfy { $0.step == $1 })
        #expect(steps.allSatisfy { $0.largestAdjointNorm.isFinite && $0.largestAdjointNorm > 0 })

        let narrow = try MLP<Float>(architecture: wide.architecture, parameters: wide.parameters.map(Float.init))
        let narrowImages = Matrix<Float>(rows: x.rows, cols: x.cols, storage: x.storage.map(Float.init))
        let (_, narrowSteps) = try run(narrow, narrowImages, observe: true)
        for (f, d) in zip(narrowSteps, steps) {
            #expect(abs(f.largestAdjointNorm - d.largestAdjointNorm) < 1e-4 * d.largestAdjointNorm)
        }
    }

    /// A row holding a NaN makes the largest norm NaN (the sweep broke there), an overflowed one +∞.
    @Test func largestRowNormReportsNaNAndInfinity() {
        let m = Matrix<Float>(rows: 3, cols: 2, storage: [3, 4, .infinity, 0, .nan, 1])
        #expect(AdjointSweepStep.largestRowNorm(m, rows: [true, false, false]) == 5)
        #expect(AdjointSweepStep.largestRowNorm(m, rows: [true, true, false]) == .infinity)
        #expect(AdjointSweepStep.largestRowNorm(m, rows: [true, true, true]).isNaN)
    }
}
