#if canImport(Glibc)
import Glibc
#endif

/// Monotonic wall-clock seconds.
func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// Seconds per call of `body`: the median of `repeats` timed blocks, each long enough (≥ `minBlock` s) to
/// make the clock's resolution irrelevant, after one untimed warm-up block. Median, not mean: these machines
/// are shared and noisy, and one preempted block must not move the figure.
func secondsPerCall(repeats: Int = 7, minBlock: Double = 0.05, _ body: () -> Void) -> Double {
    body()
    var calls = 1
    while true {  // calibrate the block length
        let t0 = now()
        for _ in 0..<calls { body() }
        if now() - t0 >= minBlock { break }
        calls *= 2
    }
    var samples: [Double] = []
    for _ in 0..<repeats {
        let t0 = now()
        for _ in 0..<calls { body() }
        samples.append((now() - t0) / Double(calls))
    }
    samples.sort()
    return samples[samples.count / 2]
}
