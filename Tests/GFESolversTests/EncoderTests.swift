import GFECore
import Testing

@testable import GFESolvers

@Suite struct EncoderTests {
    /// The official preset draws z₀ ~ U[0,1) from the caller's generator: the top 24 bits of each 64-bit
    /// output × 2⁻²⁴, row-major.
    @Test func officialPresetDrawsUniformZ0() throws {
        var s = AMDSettings.official
        s.tau = 50
        s.record = .full
        var encoder = try LatentEncoder<QuadraticObjective<Float>>(.amd(s))
        var rng = RNG(seed: 99, stream: "z0")
        var o = QuadraticObjective<Float>(dim: 2)
        let x: Matrix<Float> = matrix([
            QuadraticObjective<Double>.row(center: [1, 2], matrix: [[1, 0], [0, 1]]),
            QuadraticObjective<Double>.row(center: [0, 0], matrix: [[1, 0], [0, 1]])
        ])
        let out = try encoder.encode(objective: &o, x: x, rng: &rng)
        var reference = RNG(seed: 99, stream: "z0")
        let expected = (0..<4).map { _ in Float(reference.next() >> 40) * 0x1p-24 }
        guard case .amd(let trajectory) = out.trajectory else {
            Issue.record("no AMD trajectory")
            return
        }
        #expect(trajectory.groups[0].states[0].storage == expected)
        #expect(out.statistics.groups[0].accepted > 0)
    }

    @Test func everyMethodBehindOneCall() throws {
        // Curvature 1e-3 keeps the default log grid's explicit steps (h up to ≈ 209) stable: RK4 needs
        // α·λ·h below ≈ 2.8 (with λ = 0.5 the fixed grid blows up to ~1e299, as an explicit method must).
        let x: Matrix<Double> = matrix([QuadraticObjective<Double>.row(center: [1], matrix: [[1e-3]])])
        var rng = RNG(seed: 1)
        for settings in [EncoderSettings.amd(.paper), .fixedGrid(FixedGridSettings()), .oneStep(OneStepSettings())] {
            var encoder = try LatentEncoder<QuadraticObjective<Double>>(settings)
            var o = QuadraticObjective<Double>(dim: 1)
            let out = try encoder.encode(objective: &o, x: x, rng: &rng)
            #expect(out.z.rows == 1 && out.z.cols == 1)
            #expect(out.statistics.sampleCount == 1)
            #expect(o.calls == out.statistics.objectiveCalls)
            // Every method moves towards the minimiser c = 1 from z₀ = 0.
            #expect(out.z[0, 0] > 0 && out.z[0, 0] <= 1)
            #expect(out.statistics.sampleLoss[0] < 0.5e-3)
        }
        var grid = try LatentEncoder<QuadraticObjective<Double>>(.fixedGrid(FixedGridSettings()))
        var o = QuadraticObjective<Double>(dim: 1)
        #expect(throws: GFEError.self) {
            _ = try grid.encode(objective: &o, x: x, z0: Matrix(rows: 1, cols: 1), rng: &rng)
        }
    }

    @Test func groupLayouts() throws {
        #expect(try GroupLayout.groupSize(4).ranges(rows: 10) == [0..<4, 4..<8, 8..<10])
        #expect(try GroupLayout.oneGroup.ranges(rows: 3) == [0..<3])
        #expect(try GroupLayout.sizes([2, 1]).ranges(rows: 3) == [0..<2, 2..<3])
        #expect(throws: GFEError.self) { _ = try GroupLayout.sizes([2, 2]).ranges(rows: 3) }
        #expect(throws: GFEError.self) { _ = try GroupLayout.groupSize(0).ranges(rows: 3) }
    }
}
