import GFECore
import Testing

@testable import GFESolvers

/// Grouped solving must give every group exactly (bit for bit) what solving it alone gives.
@Suite struct AMDGroupedTests {
    /// Official constants on a shorter span, with the history starting early, so groups stop at different
    /// times and for different reasons within a fast test.
    static func settings(record: AMDRecording = .full, stepControl: AMDStepControl = .batch) -> AMDSettings {
        var s = AMDSettings.official
        s.tau = 1500
        s.startFraction = 0.9
        s.threshold = 1e-7
        s.record = record
        s.stepControl = stepControl
        return s
    }

    /// Solves each group alone (a fresh call per group, rows renumbered from 0) and stitches the results
    /// into the shape a grouped solve returns.
    static func sequential<O: LatentObjective>(
        _ settings: AMDSettings, _ objective: O, x: Matrix<O.T>, z0: Matrix<O.T>, ranges: [Range<Int>]
    ) throws -> (
        z: Matrix<O.T>, stats: [GroupStatistics], loss: [Double], norm: [Double],
        trajectory: [AMDGroupTrajectory<O.T>]
    ) {
        var z = Matrix<O.T>(rows: x.rows, cols: z0.cols)
        var stats: [GroupStatistics] = []
        var loss: [Double] = []
        var norm: [Double] = []
        var trajectory: [AMDGroupTrajectory<O.T>] = []
        for r in ranges {
            var o = objective
            var solver = try AMDSolver<O>(settings: settings)
            let out = try solver.solve(objective: &o, x: slice(x, r), z0: slice(z0, r))
            for i in 0..<r.count { for j in 0..<z.cols { z[r.lowerBound + i, j] = out.z[i, j] } }
            for var g in out.statistics.groups {
                g.rowStart += r.lowerBound
                stats.append(g)
            }
            loss += out.statistics.sampleLoss
            norm += out.statistics.sampleGradientNorm
            trajectory += out.trajectory?.groups ?? []
        }
        return (z, stats, loss, norm, trajectory)
    }

    static func expectGroupedEqualsSequential<O: LatentObjective>(
        _ settings: AMDSettings, _ objective: O, x: Matrix<O.T>, z0: Matrix<O.T>, layout: GroupLayout
    ) throws -> SolveStatistics {
        var o = objective
        var solver = try AMDSolver<O>(settings: settings)
        let grouped = try solver.solve(objective: &o, x: x, z0: z0, layout: layout)
        let ranges =
            settings.stepControl == .sample
            ? (0..<x.rows).map { $0..<($0 + 1) }
            : try layout.ranges(rows: x.rows)
        let seq = try sequential(settings, objective, x: x, z0: z0, ranges: ranges)
        #expect(grouped.z.storage == seq.z.storage, "z* differs")
        #expect(grouped.statistics.groups == seq.stats, "group statistics differ")
        #expect(grouped.statistics.sampleLoss == seq.loss)
        #expect(grouped.statistics.sampleGradientNorm == seq.norm)
        if settings.record == .full { #expect(grouped.trajectory!.groups == seq.trajectory, "trajectories differ") }
        // One objective call per round: the initial one, then as many as the longest group's attempts.
        let longest = grouped.statistics.groups.map(\.attempts).max() ?? 0
        #expect(grouped.statistics.objectiveCalls == 1 + longest)
        // Work done: every active group's rows in every round, packed contiguously (no padding rows).
        #expect(
            grouped.statistics.evaluatedRows
                == grouped.statistics.groups.reduce(0) {
                    $0 + $1.evaluations * $1.rowCount
                })
        return grouped.statistics
    }

    @Test(arguments: [1, 3, 4, 5, 8, 23])
    func groupedEqualsSequentialOnQuadratics(groupSize: Int) throws {
        var rng = RNG(seed: 11)
        let n = 23
        var poison = [Double?](repeating: nil, count: n)
        poison[6] = 2e-3  // row 6's loss turns NaN once below 2e-3
        let x: Matrix<Float> = randomQuadraticRows(count: n, dim: 4, rng: &rng, scale: 0.002...3, poison: poison)
        let z0: Matrix<Float> = InitialPoint.uniform.make(rows: n, dim: 4, rng: &rng)
        var s = Self.settings()
        s.maxAttempts = 700
        let stats = try Self.expectGroupedEqualsSequential(
            s, QuadraticObjective<Float>(dim: 4), x: x, z0: z0,
            layout: .groupSize(groupSize))
        if groupSize == 4 {
            // The case is meant to exercise groups ending at different times for different reasons.
            let results = Set(stats.groups.map(\.result))
            #expect(results.contains(.converged))
            #expect(results.contains(.nonFinite))
            #expect(Set(stats.groups.map(\.finalTime)).count > 2)
            #expect(stats.rejected > 0)
        }
    }

    @Test func unequalExplicitGroupSizes() throws {
        var rng = RNG(seed: 12)
        let x: Matrix<Float> = randomQuadraticRows(count: 12, dim: 3, rng: &rng, scale: 0.01...2)
        let z0: Matrix<Float> = InitialPoint.uniform.make(rows: 12, dim: 3, rng: &rng)
        _ = try Self.expectGroupedEqualsSequential(
            Self.settings(), QuadraticObjective<Float>(dim: 3), x: x, z0: z0,
            layout: .sizes([5, 1, 4, 2]))
    }

    @Test func sampleModeIsBatchModeWithGroupsOfOne() throws {
        var rng = RNG(seed: 13)
        let n = 9
        let x: Matrix<Float> = randomQuadraticRows(count: n, dim: 3, rng: &rng, scale: 0.01...3)
        let z0: Matrix<Float> = InitialPoint.uniform.make(rows: n, dim: 3, rng: &rng)
        // Sample mode over the whole batch …
        var o = QuadraticObjective<Float>(dim: 3)
        var sampleSolver = try AMDSolver<QuadraticObjective<Float>>(settings: Self.settings(stepControl: .sample))
        let sample = try sampleSolver.solve(objective: &o, x: x, z0: z0, layout: .groupSize(4))
        // … equals batch mode on each image alone (B = 1).
        let alone = try Self.sequential(
            Self.settings(), QuadraticObjective<Float>(dim: 3), x: x, z0: z0,
            ranges: (0..<n).map { $0..<($0 + 1) })
        #expect(sample.z.storage == alone.z.storage)
        #expect(sample.statistics.groups == alone.stats)
        #expect(sample.statistics.groups.count == n)
        #expect(sample.statistics.sampleFinalTime == alone.stats.map(\.finalTime))
        // And the images really did take different paths.
        #expect(Set(alone.stats.map(\.accepted)).count > 1)
        // Sample mode, grouped, against sample mode one image per call.
        _ = try Self.expectGroupedEqualsSequential(
            Self.settings(stepControl: .sample), QuadraticObjective<Float>(dim: 3),
            x: x, z0: z0, layout: .oneGroup)
    }

    /// The same through the engine's matrix product: a linear decoder evaluated with `gemm` on the tall
    /// matrix (for Float, `RowGemm`, which gives a row the same bits at every position and height), groups
    /// packed contiguously with no padding.
    @Test(arguments: [AMDStepControl.batch, .sample])
    func groupedEqualsSequentialThroughGemm(stepControl: AMDStepControl) throws {
        var rng = RNG(seed: 14)
        let n = 21
        let d = 20
        let p = 64
        let x = Matrix<Float>(rows: n, cols: p, storage: (0..<(n * p)).map { _ in rng.nextFloat() })
        let z0: Matrix<Float> = InitialPoint.uniform.make(rows: n, dim: d, rng: &rng)
        var s = Self.settings(record: .summary, stepControl: stepControl)
        s.tau = 600
        s.threshold = 1e-6
        _ = try Self.expectGroupedEqualsSequential(
            s, LinearDecoderObjective(dim: d, pixels: p, seed: 3), x: x,
            z0: z0, layout: .groupSize(5))
    }
}
