import Foundation
import GFECore
import Testing

@testable import GFESolvers

/// The latent-optimisation encoders (`adam`, `gd`) against steps worked by hand on ℓ = ½(z − c)ᵀA(z − c),
/// an independent Adam in Double, and their settings.
@Suite struct LatentOptimiserTests {
    typealias Q = QuadraticObjective<Double>
    static let a = [[2.0, 0.5], [0.5, 1.0]]
    static let c = [0.25, -0.75]

    /// ∇ℓ(z) = A(z − c).
    static func gradient(_ z: [Double]) -> [Double] {
        let e = [z[0] - c[0], z[1] - c[1]]
        return [a[0][0] * e[0] + a[0][1] * e[1], a[1][0] * e[0] + a[1][1] * e[1]]
    }

    static func solve(_ settings: LatentOptimiserSettings, z0: [Double] = [0.5, 0.5]) throws -> (
        z: [Double], statistics: SolveStatistics, meanLoss: [Double], calls: Int
    ) {
        var o = Q(dim: 2)
        var solver = try LatentOptimiserSolver<Q>(settings: settings)
        let x: Matrix<Double> = matrix([Q.row(center: c, matrix: a)])
        let out = try solver.solve(objective: &o, x: x, z0: matrix([z0]))
        return (out.z.storage, out.statistics, out.meanLoss, o.calls)
    }

    /// Gradient descent with the L2 prior: z ← z − lr·(A(z − c) + 2λz), three steps by hand.
    @Test func gradientDescentStepsWithThePrior() throws {
        var s = LatentOptimiserSettings(rule: .gd, lr: 0.1, steps: 3, prior: 0.05)
        s.initialPoint = .zeros
        let out = try Self.solve(s)
        var z = [0.5, 0.5]
        for _ in 0..<3 {
            let g = Self.gradient(z)
            z = [z[0] - 0.1 * (g[0] + 0.1 * z[0]), z[1] - 0.1 * (g[1] + 0.1 * z[1])]
        }
        #expect(out.z == z)
        // Four evaluations (before each step and at z*), four points of the curve; ℓ reported without the prior.
        #expect(out.calls == 4 && out.meanLoss.count == 4 && out.statistics.groups[0].evaluations == 4)
        let g = Self.gradient(z)
        let loss = 0.5 * ((z[0] - Self.c[0]) * g[0] + (z[1] - Self.c[1]) * g[1])
        #expect(abs(out.statistics.sampleLoss[0] - loss) < 1e-15 && abs(out.meanLoss[3] - loss) < 1e-15)
        #expect(out.statistics.sampleResult == [.reachedTau] && out.statistics.groups[0].finalTime == 3)
    }

    /// Adam's first step moves each coordinate by lr·g/(|g| + ε) (bias-corrected moments are g and g²); later
    /// steps follow an independent Double implementation of PyTorch's update.
    @Test func adamMatchesPyTorchsUpdate() throws {
        let one = try Self.solve(LatentOptimiserSettings(rule: .adam, lr: 0.01, steps: 1))
        let g0 = Self.gradient([0.5, 0.5])
        #expect(one.z == [0.5 - 0.01 * g0[0] / (abs(g0[0]) + 1e-8), 0.5 - 0.01 * g0[1] / (abs(g0[1]) + 1e-8)])

        let steps = 200
        let out = try Self.solve(LatentOptimiserSettings(rule: .adam, lr: 0.01, steps: steps))
        var z = [0.5, 0.5]
        var m = [0.0, 0.0]
        var v = [0.0, 0.0]
        for t in 1...steps {
            let g = Self.gradient(z)
            for j in 0..<2 {
                m[j] = 0.9 * m[j] + 0.1 * g[j]
                v[j] = 0.999 * v[j] + 0.001 * g[j] * g[j]
                let mHat = m[j] / (1 - pow(0.9, Double(t)))
                let vHat = v[j] / (1 - pow(0.999, Double(t)))
                z[j] -= 0.01 * mHat / (vHat.squareRoot() + 1e-8)
            }
        }
        #expect(abs(out.z[0] - z[0]) < 1e-12 && abs(out.z[1] - z[1]) < 1e-12)
        // It descends: the loss at z* is far below the start's.
        #expect(out.meanLoss.last! < 0.01 * out.meanLoss.first!)
    }

    /// A row whose loss turns non-finite stays at its last finite point and says so; the others go on.
    @Test func nonFiniteRowsStopAtTheirLastFinitePoint() throws {
        // Row 0: NaN once ℓ < 0.1 (reached after a few steps); row 1 never poisoned.
        let x: Matrix<Double> = matrix([
            Q.row(center: [1], matrix: [[1]], poison: 0.1), Q.row(center: [1], matrix: [[1]], poison: 0)
        ])
        var o = Q(dim: 1)
        var solver = try LatentOptimiserSolver<Q>(settings: LatentOptimiserSettings(rule: .gd, lr: 0.5, steps: 6))
        let out = try solver.solve(objective: &o, x: x, z0: Matrix(rows: 2, cols: 1), layout: .groupSize(1))
        // gd with lr 0.5 on ½(z − 1)²: z = 0, 0.5, 0.75, … ; ℓ(0.5) = 0.125 ≥ 0.1, ℓ(0.75) = 0.03125 < 0.1.
        #expect(out.z.storage[0] == 0.5)
        #expect(out.z.storage[1] == 1 - pow(0.5, 6))
        #expect(out.statistics.sampleResult == [.nonFinite, .reachedTau])
        #expect(out.statistics.sampleLoss[0] == 0.125)
        #expect(out.statistics.groups.map(\.result) == [.nonFinite, .reachedTau])
    }

    @Test func settingsDecodeWithDefaultsAndNamedMistakes() throws {
        guard case .latentOptimiser(let adam) = try SettingsTests.decode(#"{"method": "adam"}"#) else {
            Issue.record("not a latent optimiser")
            return
        }
        #expect(adam.rule == .adam && adam.lr == 5e-3 && adam.steps == 100 && adam.prior == 0 && adam.beta2 == 0.999)
        let gd = try SettingsTests.decode(#"{"method": "gd", "lr": 0.5, "steps": 20, "prior": 1e-4}"#)
        #expect(gd == .latentOptimiser(LatentOptimiserSettings(rule: .gd, lr: 0.5, steps: 20, prior: 1e-4)))
        #expect(gd.method == .gd && !gd.isFlow)
        for settings in [gd, .latentOptimiser(adam)] {
            #expect(try JSONDecoder().decode(EncoderSettings.self, from: JSONEncoder().encode(settings)) == settings)
        }
        #expect(SettingsTests.message(#"{"method": "gd", "beta1": 0.5}"#)?.contains("unknown field 'beta1'") == true)
        #expect(SettingsTests.message(#"{"method": "adam", "steps": 0}"#)?.contains("'steps' is 0") == true)
        #expect(SettingsTests.message(#"{"method": "adam", "lr": -1}"#)?.contains("'lr'") == true)
        #expect(SettingsTests.message(#"{"method": "adma"}"#)?.contains("did you mean") == true)
        // Exact decoder gradients through the steps are defined for the flow encoders only.
        let unrolled = DecoderGradientSettings(mode: .unrolled)
        #expect(throws: GFEError.self) { try unrolled.validate(encoder: gd) }
        try DecoderGradientSettings(mode: .implicit).validate(encoder: gd)
    }
}
