import GFECore

/// Seconds per call of `body`: the median of `repeats` timed blocks, each long enough (≥ `minBlock` s) to
/// make the clock's resolution irrelevant, after one untimed warm-up block. Median, not mean: these machines
/// are shared and noisy, and one preempted block must not move the figure.
func secondsPerCall(repeats: Int = 7, minBlock: Double = 0.05, _ body: () -> Void) -> Double {
    withoutActuallyEscaping(body) { interleavedSeconds(repeats: repeats, minBlock: minBlock, [$0])[0].median }
}

/// Seconds per call of each body, `repeats` samples each, taken in rounds: every round times one block of each
/// body in turn (b₀ b₁ … b₀ b₁ …), after one untimed warm-up call and a calibration of each body's block
/// length (≥ `minBlock` s). The speed of these shared machines drifts by up to 20 % within the hour, so two
/// figures are compared only through samples of the same round, never through medians taken minutes apart.
func interleavedSeconds(repeats: Int = 7, minBlock: Double = 0.05, _ bodies: [() -> Void]) -> [[Double]] {
    let calls = bodies.map { body in
        body()
        var calls = 1
        while true {
            let t0 = ContinuousClock.now
            for _ in 0..<calls { body() }
            if secondsSince(t0) >= minBlock { return calls }
            calls *= 2
        }
    }
    var samples = bodies.map { _ in [Double]() }
    for _ in 0..<repeats {
        for (i, body) in bodies.enumerated() {
            let t0 = ContinuousClock.now
            for _ in 0..<calls[i] { body() }
            samples[i].append(secondsSince(t0) / Double(calls[i]))
        }
    }
    return samples
}

extension Array where Element == Double {
    /// The middle sample (the upper one of an even count).
    var median: Double { sorted()[count / 2] }
}

/// OpenBLAS's single-thread sgemm on n × n operands: the peak every figure is held against, timed in the same
/// rounds as the figure (see `interleavedSeconds`).
final class SgemmPeak {
    let n: Int
    private let a: Matrix<Float>, b: Matrix<Float>
    private var c: Matrix<Float>

    init(n: Int) {
        self.n = n
        var rng = RNG(seed: 1)
        a = Matrix(rows: n, cols: n, storage: (0..<(n * n)).map { _ in rng.nextFloat() })
        b = Matrix(rows: n, cols: n, storage: (0..<(n * n)).map { _ in rng.nextFloat() })
        c = Matrix(rows: n, cols: n)
    }

    var flop: Double { 2 * Double(n * n * n) }

    func call() { blasProduct(a, b, into: &c) }

    /// GFLOP/s timed alone (where no figure is interleaved with it).
    func gflops() -> Double { flop / secondsPerCall(call) / 1e9 }
}

/// A figure and the peak beside it: GFLOP/s from the median seconds, and its share of the peak as the median
/// of the rounds' own ratios (each round's figure over the same round's peak).
struct PeakShare {
    /// Seconds per call in each round.
    let roundSeconds: [Double]
    let seconds: Double
    let gflops: Double
    let ofPeak: Double

    /// From per-round seconds of the figure (`flop` per call) and of the peak.
    init(seconds: [Double], flop: Double, peakSeconds: [Double], peakFlop: Double) {
        roundSeconds = seconds
        self.seconds = seconds.median
        gflops = flop / self.seconds / 1e9
        ofPeak = zip(seconds, peakSeconds).map { (flop / $0) / (peakFlop / $1) }.median
    }
}

/// Seconds and peak shares of `bodies` (FLOP per call in `flop`), timed in rounds with the peak.
func againstPeak(_ peak: SgemmPeak, flop: [Double], _ bodies: [() -> Void]) -> [PeakShare] {
    let samples = interleavedSeconds([peak.call] + bodies)
    return zip(samples.dropFirst(), flop).map {
        PeakShare(seconds: $0, flop: $1, peakSeconds: samples[0], peakFlop: peak.flop)
    }
}
