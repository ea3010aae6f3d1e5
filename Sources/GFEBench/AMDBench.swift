import Foundation
import GFECore
import GFEData
import GFEExperiments
import GFESolvers
import GFETraining

/// Counts objective calls so the benchmark can state decoder passes per AMD attempt: each call of
/// `DecoderObjective.lossAndGradient` is one forward and one (input-gradient) backward pass.
struct CountingObjective: LatentObjective {
    var inner: DecoderObjective<Float>
    var calls = 0
    var rows = 0
    var latentDim: Int { inner.latentDim }
    mutating func lossAndGradient(
        z: Matrix<Float>, x: Matrix<Float>, loss: inout [Float], gradient: inout Matrix<Float>
    ) {
        calls += 1
        rows += z.rows
        inner.lossAndGradient(z: z, x: x, loss: &loss, gradient: &gradient)
    }
}

/// AMD attempts per second with a freshly initialised decoder (seed 2020) on MNIST test images, official
/// preset, z₀ = 0 (the fixture's setting): one group of B = 16, then `groups` groups solved together. Whole
/// solves are timed in rounds with the peak (`interleavedSeconds`); every solve makes the same attempts.
func benchAMD(peak: SgemmPeak, flopPerImageAttempt: Double, groups: Int) throws {
    let test = try Dataset.load(.mnist).split(.test, seed: 0, limit: 16 * groups)
    let decoder = MLP<Float>(architecture: .decoder(), seed: 2020)
    var settings = AMDSettings.official
    settings.initialPoint = .zeros

    struct Solves {
        var share: PeakShare
        var attempts = 0, calls = 0, rows = 0
    }
    func run(images: Int, layout: GroupLayout, repeats: Int) throws -> Solves {
        var x = Matrix<Float>(rows: images, cols: 784)
        test.gather(0..<images, into: &x)
        var objective = CountingObjective(inner: DecoderObjective(decoder: decoder, maxBatch: images))
        var solver = try AMDSolver<CountingObjective>(settings: settings)
        let z0 = Matrix<Float>(rows: images, cols: 20)
        var last: (attempts: Int, calls: Int, rows: Int) = (0, 0, 0)
        var failure: Error?
        let samples = interleavedSeconds(
            repeats: repeats,
            [
                peak.call,
                {
                    objective.calls = 0
                    objective.rows = 0
                    do {
                        let solution = try solver.solve(objective: &objective, x: x, z0: z0, layout: layout)
                        last = (solution.statistics.attempts, objective.calls, objective.rows)
                    } catch {
                        failure = error
                    }
                }
            ])
        if let failure { throw failure }
        // Useful work: 16 images per group-attempt (the evaluation at z₀ excluded).
        let flop = Double(last.attempts) * 16 * flopPerImageAttempt
        return Solves(
            share: PeakShare(seconds: samples[1], flop: flop, peakSeconds: samples[0], peakFlop: peak.flop),
            attempts: last.attempts, calls: last.calls, rows: last.rows)
    }

    func line(_ name: String, _ r: Solves) {
        let label = name.padding(toLength: 34, withPad: " ", startingAt: 0)
        let seconds = r.share.seconds
        print(
            label
                + String(
                    format: " %9.0f attempts/s %7.3f ms/attempt %7.1f GFLOP/s  %5.1f %% of sgemm peak",
                    Double(r.attempts) / seconds, seconds / Double(r.attempts) * 1e3, r.share.gflops,
                    100 * r.share.ofPeak))
    }

    let one = try run(images: 16, layout: .oneGroup, repeats: 7)
    line("AMD, one group, B = 16", one)
    print(
        String(
            format: "  decoder passes per attempt: %.3f forward + %.3f backward (%d calls, %d attempts)",
            Double(one.calls) / Double(one.attempts), Double(one.calls) / Double(one.attempts),
            one.calls, one.attempts))
    let many = try run(images: 16 * groups, layout: .groupSize(16), repeats: 3)
    line("AMD, \(groups) groups of 16, 1 thread", many)
    print(
        String(
            format: "  rows evaluated per useful row: %.3f (groups packed contiguously; the excess is each "
                + "group's evaluation at z₀)", Double(many.rows) / Double(many.attempts * 16)))
}

/// Process CPU seconds (user + system), to show how many cores a section kept busy.
func processCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

/// The whole MNIST test set encoded as the evaluation does it (SPEC §7: batches of 16 in file order, official
/// preset with its uniform z₀, groups solved together in chunks shared by `threads` threads), through a freshly
/// initialised decoder (seed 2020). Prints attempts per second, the useful GFLOP/s against `threads` × the
/// single-thread peak (timed just before and just after: one encoding takes half a minute), and CPU time over
/// wall time (the cores actually used).
func benchTestSetEncoding(peak: SgemmPeak, flopPerImageAttempt: Double, threads: Int) throws {
    let test = try Dataset.load(.mnist).split(.test, seed: 0)
    var x = Matrix<Float>(rows: test.count, cols: 784)
    test.gather(0..<test.count, into: &x)
    let decoder = MLP<Float>(architecture: .decoder(), seed: 2020)
    let peakBefore = peak.gflops()
    let cpu0 = processCPUSeconds()
    let result = try Evaluator.encode(
        decoder: decoder, images: x, batchSize: 16, encoder: .amd(.official),
        start: .rule(seed: 2020), resources: EvaluationResources(threads: threads))
    let cpu = processCPUSeconds() - cpu0
    let peakAfter = peak.gflops()
    guard let statistics = result.statistics else { throw GFEError.badInput("AMD evaluation returned no statistics") }
    let imageAttempts = statistics.groups.reduce(0) { $0 + $1.attempts * $1.rowCount }
    let groupAttempts = statistics.attempts
    let g = Double(imageAttempts) * flopPerImageAttempt / result.wallSeconds / 1e9
    let label = "AMD, \(test.count) test images, \(threads) threads".padding(toLength: 34, withPad: " ", startingAt: 0)
    print(
        label
            + String(
                format: " %9.0f attempts/s %7.3f ms/attempt %7.1f GFLOP/s  %5.1f %% of %d × sgemm peak",
                Double(groupAttempts) / result.wallSeconds, result.wallSeconds / Double(groupAttempts) * 1e3,
                g, 100 * g / ((peakBefore + peakAfter) / 2 * Double(threads)), threads))
    print(
        String(
            format: "  %d groups, %.0f attempts per group, mean loss %.6f; %.1f s wall, %.1f s CPU (%.2f cores busy); "
                + "peak %.1f GFLOP/s before, %.1f after",
            statistics.groups.count, Double(groupAttempts) / Double(statistics.groups.count), result.meanLoss,
            result.wallSeconds, cpu, cpu / result.wallSeconds, peakBefore, peakAfter))
}
