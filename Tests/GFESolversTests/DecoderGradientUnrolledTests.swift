import GFECore
import GFETestSupport
import Testing

@testable import GFESolvers

/// `unrolled` against central differences of the whole map θ ↦ L(D_θ(z*(θ)), x), z*(θ) recomputed by the
/// solver for every perturbed θ (the step sizes do not depend on θ: fixed grid, one-step; for AMD the
/// test checks the step sequence is the same in every perturbed run, or replays it).
@Suite struct DecoderGradientUnrolledTests {
    typealias F = GradientFixture

    /// Checks ∇·v against the directional derivative along 3 random directions (relative 1e-6), and that
    /// the correction to the approximate gradient is not negligible (so the test could fail).
    static func checkAgainstDifferences(
        _ g: [Double], approximate: [Double], label: String, tolerance: Double = 1e-6,
        of f: ([Double]) -> Double
    ) {
        let theta = F.decoder().parameters
        for seed in UInt64(1)...3 {
            let v = F.direction(seed: seed)
            let expected = F.directionalDerivative(at: theta, along: v, of: f)
            let actual = F.dot(g, v)
            let error = F.relativeError(actual, expected)
            #expect(error < tolerance, "\(label), direction \(seed): ∇·v = \(actual), differences \(expected)")
            let correction = F.relativeError(F.dot(approximate, v), expected)
            #expect(
                correction > 100 * tolerance,
                "\(label), direction \(seed): the correction is too small to test (\(correction))")
        }
    }

    @Test func oneStep() throws {
        let x = F.images(3)
        let z0 = F.latents(3)
        let settings = EncoderSettings.oneStep(OneStepSettings(eta: 4))
        let (g, result) = try F.gradient(.unrolled, encoder: settings, mlp: F.decoder(), x: x, z0: z0)
        let (approximate, _) = try F.gradient(.approximate, encoder: settings, mlp: F.decoder(), x: x, z0: z0)
        #expect(result.statistics.secondOrderPasses == 1)
        Self.checkAgainstDifferences(g, approximate: approximate, label: "one-step") {
            F.totalLoss($0, encoder: settings, x: x, z0: z0)
        }
    }

    @Test(arguments: [FlowDynamics.gradientFlow, .nesterov])
    func fixedGrid(dynamics: FlowDynamics) throws {
        let x = F.images(3)
        var s = FixedGridSettings(dynamics: dynamics)
        s.points = 7
        s.tau = dynamics == .nesterov ? 12 : 60
        let settings = EncoderSettings.fixedGrid(s)
        let (g, result) = try F.gradient(.unrolled, encoder: settings, mlp: F.decoder(), x: x)
        let (approximate, _) = try F.gradient(.approximate, encoder: settings, mlp: F.decoder(), x: x)
        #expect(result.statistics.secondOrderPasses == 4 * (s.points - 1))
        Self.checkAgainstDifferences(g, approximate: approximate, label: "\(dynamics)") {
            F.totalLoss($0, encoder: settings, x: x, z0: nil)
        }
    }

    /// AMD with no rejection and a stop at τ: the accepted dt sequence (1, 1.1, 1.21, …) depends on nothing
    /// but the count of steps, so re-running the real solver at θ ± h·v gives the same steps (checked in
    /// every perturbed run). `sample` step control sweeps three groups of one image together.
    @Test(arguments: [AMDStepControl.batch, .sample])
    func amdWithoutRejections(control: AMDStepControl) throws {
        let x = F.images(3)
        let z0 = F.latents(3)
        var s = AMDSettings.official
        s.tau = 25
        s.threshold = 0  // never "converged": every run stops at τ after the same steps
        s.stepControl = control
        let settings = EncoderSettings.amd(s)
        let (g, result) = try F.gradient(.unrolled, encoder: settings, mlp: F.decoder(), x: x, z0: z0)
        let (approximate, _) = try F.gradient(.approximate, encoder: settings, mlp: F.decoder(), x: x, z0: z0)
        let stats = result.encoding.statistics
        #expect(stats.rejected == 0 && stats.forced == 0, "the setting must take every step")
        let steps = stats.groups.map(\.accepted)
        Self.checkAgainstDifferences(g, approximate: approximate, label: "AMD \(control)") {
            F.totalLoss($0, encoder: settings, x: x, z0: z0) { encoding in
                #expect(encoding.statistics.groups.map(\.accepted) == steps)
                #expect(encoding.statistics.rejected == 0 && encoding.statistics.forced == 0)
            }
        }
    }

    /// AMD with rejections and forced accepts: the unrolled gradient is that of the computed z* with the
    /// accepted steps' dt held fixed, so the reference replays each group's recorded dt sequence (Euler steps
    /// through `lossAndGradient`, written here independently) at θ ± h·v. With `sample` step control every
    /// image has its own sequence and length, which exercises the batched sweep's dropping out of groups.
    @Test(arguments: [AMDStepControl.batch, .sample])
    func amdWithRejectionsAndForcedAccepts(control: AMDStepControl) throws {
        let n = 3
        let x = F.images(n)
        let z0 = F.latents(n)
        var s = AMDSettings.official
        s.tau = 60
        s.threshold = 0
        // σ·s_max = 1: near a minimum short steps fail the test (decrease ≈ dt·‖g‖² < dt·‖g̃‖² along a
        // convex path), so dt shrinks below β^K = 0.25 and the step is forced; measured: batch 8 accepted,
        // 33 rejected, 6 forced; sample (9, 21, 8) accepted steps.
        s.sigma = 0.1
        s.maxReductions = 2
        s.stepControl = control
        s.record = .full
        let settings = EncoderSettings.amd(s)
        let (g, result) = try F.gradient(.unrolled, encoder: settings, mlp: F.decoder(), x: x, z0: z0)
        let (approximate, _) = try F.gradient(.approximate, encoder: settings, mlp: F.decoder(), x: x, z0: z0)
        let stats = result.encoding.statistics
        #expect(stats.rejected > 0 && stats.forced > 0, "rejected \(stats.rejected), forced \(stats.forced)")
        guard case .amd(let trajectory)? = result.encoding.trajectory else {
            Issue.record("no AMD trajectory kept although record = full")
            return
        }
        // Each row's dt sequence.
        var rowSteps = [[Double]](repeating: [], count: n)
        for (gi, group) in stats.groups.enumerated() {
            #expect(trajectory.groups[gi].stepSizes.count == group.accepted)
            for i in group.rows { rowSteps[i] = trajectory.groups[gi].stepSizes }
        }
        if control == .sample {
            #expect(Set(rowSteps.map(\.count)).count > 1, "the images should take different numbers of steps")
        }
        func replay(_ theta: [Double]) -> Double {
            var mlp = F.decoder()
            mlp.parameters = theta
            var objective = F.objective(mlp, rows: 1)
            var total = 0.0
            var loss: [Double] = []
            var gradient = Matrix<Double>(rows: 1, cols: 2)
            for i in 0..<n {
                var z = slice(z0, i..<(i + 1))
                let image = slice(x, i..<(i + 1))
                for dt in rowSteps[i] {
                    objective.lossAndGradient(z: z, x: image, loss: &loss, gradient: &gradient)
                    for e in z.storage.indices { z.storage[e] -= dt * gradient.storage[e] }
                }
                objective.loss(z: z, x: image, loss: &loss)
                total += loss[0]
            }
            return total
        }
        // The replay reproduces the solver's z* (same arithmetic, Double).
        #expect(abs(replay(F.decoder().parameters) - result.loss) <= 1e-12 * abs(result.loss))
        Self.checkAgainstDifferences(g, approximate: approximate, label: "AMD replay \(control)", of: replay)
    }
}
