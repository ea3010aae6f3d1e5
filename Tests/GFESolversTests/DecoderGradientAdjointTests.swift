import GFECore
import GFETestSupport
import Testing

@testable import GFESolvers

/// `adjoint` (the continuous adjoint, integrated backwards on the grid) against central differences of the
/// discrete map θ ↦ L(D_θ(z*(θ)), x) on the same grid, and against `unrolled`, as the grid is refined.
@Suite struct DecoderGradientAdjointTests {
    typealias F = GradientFixture

    static func norm(_ a: [Double]) -> Double { a.reduce(0) { $0 + $1 * $1 }.squareRoot() }
    static func relativeDistance(_ a: [Double], _ b: [Double]) -> Double {
        norm(zip(a, b).map { $0 - $1 }) / norm(b)
    }

    /// N = 5, 9, 17, 33 grid points (intervals doubling), log grid, exp scaling. Measured (τ = 60):
    /// gradient flow, |adjoint − unrolled|/|unrolled| = 2.5e-7, 1.4e-8, 8.6e-10, 5.2e-11 (order 4);
    /// Nesterov 7.0e-2, 1.4e-3, 5.8e-5, 3.2e-6. The correction itself is 8% (gradient flow) and 39%
    /// (Nesterov) of the gradient, so agreement is not the approximate gradient's.
    @Test(arguments: [FlowDynamics.gradientFlow, .nesterov])
    func convergesToTheGradientOfTheMapAsTheGridIsRefined(dynamics: FlowDynamics) throws {
        let x = F.images(3)
        let theta = F.decoder().parameters
        var previous: (differences: [Double], unrolled: Double)? = nil
        for points in [5, 9, 17, 33] {
            var s = FixedGridSettings(dynamics: dynamics)
            s.points = points
            s.tau = 60
            let settings = EncoderSettings.fixedGrid(s)
            let (adjoint, result) = try F.gradient(.adjoint, encoder: settings, mlp: F.decoder(), x: x)
            let (unrolled, _) = try F.gradient(.unrolled, encoder: settings, mlp: F.decoder(), x: x)
            let (approximate, _) = try F.gradient(.approximate, encoder: settings, mlp: F.decoder(), x: x)
            #expect(result.statistics.secondOrderPasses == 4 * (points - 1))
            #expect(result.statistics.parameterGradientIsFinite)
            let differences = (UInt64(1)...2).map { seed -> Double in
                let v = F.direction(seed: seed)
                let expected = F.directionalDerivative(at: theta, along: v) {
                    F.totalLoss($0, encoder: settings, x: x, z0: nil)
                }
                #expect(F.relativeError(F.dot(unrolled, v), expected) < 1e-6, "unrolled, N = \(points)")
                return F.relativeError(F.dot(adjoint, v), expected)
            }
            let fromUnrolled = Self.relativeDistance(adjoint, unrolled)
            #expect(Self.relativeDistance(approximate, unrolled) > 0.05, "the correction must matter")
            if let previous {
                // At least third order (4th measured); against differences only while above their noise
                // (≈ 1e-10 relative with h = 1e-5).
                #expect(
                    fromUnrolled < previous.unrolled / 8, "N = \(points): \(fromUnrolled) after \(previous.unrolled)")
                for (now, before) in zip(differences, previous.differences) where before > 1e-8 {
                    #expect(now < before / 4, "N = \(points): error against differences \(now) after \(before)")
                }
            }
            previous = (differences, fromUnrolled)
        }
        let finest = try #require(previous)
        #expect(finest.differences.allSatisfy { $0 < 1e-4 }, "N = 33: \(finest.differences)")
        #expect(finest.unrolled < 1e-4)
    }

    /// A row frozen at grid point m (as a non-finite row is) is differentiated through its first m
    /// intervals only, for both `unrolled` and `adjoint`, and its recorded values after m are never read
    /// (they are NaN here). Reference: the other rows on the whole grid plus that row alone on the first
    /// m + 1 points (a linear grid's prefix is a linear grid; constant α so α does not depend on τ).
    @Test(arguments: [DecoderGradientMode.unrolled, .adjoint], [FlowDynamics.gradientFlow, .nesterov])
    func frozenRowStopsAtItsLastFinitePoint(mode: DecoderGradientMode, dynamics: FlowDynamics) throws {
        let x = F.images(3)
        var s = FixedGridSettings(dynamics: dynamics)
        s.grid = .linear
        s.scaling = .constant
        s.points = 7
        s.tau = 30
        let m = 3
        let times = s.times
        var encoder = try LatentEncoder<DecoderObjective<Double>>(.fixedGrid(s))
        var objective = F.objective(F.decoder(), rows: 3)
        var rng = RNG(seed: 1, stream: "unused")
        let (encoding, recorded) = try encoder.encode(
            objective: &objective, x: x, layout: .oneGroup, z0: nil,
            rng: &rng, recordForward: true)
        var stages = try #require(recorded)
        var statistics = encoding.statistics
        statistics.sampleFinalTime[1] = times[m]
        statistics.sampleResult[1] = .nonFinite
        for e in (4 * m + 1)..<stages.inputs.count {
            for c in 0..<stages.inputs[e].cols { stages.inputs[e][1, c] = .nan }
            for c in 0..<2 { stages.gradients[e][1, c] = .nan }
        }
        var z = encoding.z
        for c in 0..<2 { z[1, c] = stages.inputs[4 * m][1, c] }
        var loss: [Double] = []
        var a = Matrix<Double>(rows: 3, cols: 2)
        var g = [Double](repeating: 0, count: F.architecture.parameterCount)
        objective.lossAndGradients(z: z, x: x, loss: &loss, gradient: &a, parameterGradient: &g)
        var passes = DecoderGradientPasses<Double>()
        ReverseGrid(settings: s, stages: stages, statistics: statistics, adjoint: a).differentiate(
            mode, stages: stages, adjoint: a, objective: &objective, x: x, passes: &passes, parameterGradient: &g)
        #expect(g.allSatisfy { $0.isFinite })

        var short = s
        short.points = m + 1
        short.tau = times[m]
        let others = Matrix<Double>(rows: 2, cols: 7, storage: x.row(0) + x.row(2))
        let (gOthers, _) = try F.gradient(mode, encoder: .fixedGrid(s), mlp: F.decoder(), x: others)
        let (gFrozen, _) = try F.gradient(mode, encoder: .fixedGrid(short), mlp: F.decoder(), x: slice(x, 1..<2))
        expectClose(
            g, zip(gOthers, gFrozen).map { $0 + $1 }, relative: 1e-9, absolute: 1e-13,
            "\(mode), \(dynamics)")
        // And the frozen row's correction is really there (its gradient is not the approximate one).
        let (gFrozenApproximate, _) = try F.gradient(
            .approximate, encoder: .fixedGrid(short), mlp: F.decoder(),
            x: slice(x, 1..<2))
        #expect(Self.relativeDistance(gFrozenApproximate, gFrozen) > 1e-3)
    }
}
