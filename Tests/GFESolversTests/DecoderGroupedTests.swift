import GFECore
import GFETestSupport
import Testing

@testable import GFESolvers

/// Grouped == sequential with the real decoder (SPEC §2 architecture, PyTorch-style init) on synthetic
/// digit images: the property the test-set evaluation relies on.
@Suite struct DecoderGroupedTests {
    static func batch(count: Int) -> Matrix<Float> {
        let digits = SyntheticDigits(count: count, seed: 5)
        return Matrix(rows: count, cols: digits.pixelsPerImage, storage: digits.pixels.map { Float($0) / 255 })
    }

    static func decoder() -> DecoderObjective<Float> {
        DecoderObjective(decoder: MLP(architecture: .decoder(latent: 20), seed: 2020), maxBatch: 16)
    }

    /// Short solves so the debug-build test stays fast (≈ 20 attempts): history from t ≥ 20, and a threshold
    /// between the groups' slopes at the first check (measured ≈ 1.34e-5 for the middle group, ≈ 1.56e-5 for the
    /// others), so groups stop at different times.
    static func settings(_ control: AMDStepControl) -> AMDSettings {
        var s = AMDSettings.official
        s.tau = 60
        s.startFraction = 2.0 / 3
        s.threshold = 1.45e-5
        s.stepControl = control
        s.record = .summary
        return s
    }

    @Test(arguments: [AMDStepControl.batch, .sample])
    func amdGroupedEqualsSequential(control: AMDStepControl) throws {
        BLAS.setThreads(1)
        let n = control == .batch ? 8 : 3
        let x = Self.batch(count: n)
        var rng = RNG(seed: 3, stream: "z0")
        let z0: Matrix<Float> = InitialPoint.uniform.make(rows: n, dim: 20, rng: &rng)
        let s = Self.settings(control)
        var grouped = Self.decoder()
        var solver = try AMDSolver<DecoderObjective<Float>>(settings: s)
        let all = try solver.solve(objective: &grouped, x: x, z0: z0, layout: .groupSize(3))
        let ranges = control == .sample ? (0..<n).map { $0..<($0 + 1) } : try GroupLayout.groupSize(3).ranges(rows: n)
        for (gi, r) in ranges.enumerated() {
            var alone = Self.decoder()
            var single = try AMDSolver<DecoderObjective<Float>>(settings: s)
            let part = try single.solve(objective: &alone, x: slice(x, r), z0: slice(z0, r))
            #expect(part.z.storage == slice(all.z, r).storage, "group \(gi)")
            var expected = part.statistics.groups[0]
            expected.rowStart = r.lowerBound
            #expect(all.statistics.groups[gi] == expected, "group \(gi)")
        }
        if control == .batch {
            #expect(Set(all.statistics.groups.map(\.accepted)).count > 1, "groups should stop at different times")
        }
        #expect(all.statistics.groups.allSatisfy { $0.result == .converged || $0.result == .reachedTau })
    }

    @Test func fixedGridGroupedEqualsSequential() throws {
        BLAS.setThreads(1)
        let n = 5
        let x = Self.batch(count: n)
        var s = FixedGridSettings(dynamics: .nesterov)
        s.points = 6
        var grouped = Self.decoder()
        var solver = try FixedGridSolver<DecoderObjective<Float>>(settings: s)
        let all = try solver.solve(objective: &grouped, x: x, layout: .groupSize(3))
        for r in try GroupLayout.groupSize(3).ranges(rows: n) {
            var alone = Self.decoder()
            var single = try FixedGridSolver<DecoderObjective<Float>>(settings: s)
            let part = try single.solve(objective: &alone, x: slice(x, r))
            #expect(part.z.storage == slice(all.z, r).storage)
        }
    }
}
