import GFECore

/// Seconds per call of `body`: the median of `repeats` timed blocks, each long enough (≥ `minBlock` s) to
/// make the clock's resolution irrelevant, after one untimed warm-up block. Median, not mean: these machines
/// are shared and noisy, and one preempted block must not move the figure.
func secondsPerCall(repeats: Int = 7, minBlock: Double = 0.05, _ body: () -> Void) -> Double {
    body()
    var calls = 1
    while true {  // calibrate the block length
        let t0 = ContinuousClock.now
        for _ in 0..<calls { body() }
        if secondsSince(t0) >= minBlock { break }
        calls *= 2
    }
    var samples: [Double] = []
    for _ in 0..<repeats {
        let t0 = ContinuousClock.now
        for _ in 0..<calls { body() }
        samples.append(secondsSince(t0) / Double(calls))
    }
    samples.sort()
    return samples[samples.count / 2]
}
