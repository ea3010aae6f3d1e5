/// Wall-clock seconds since `start` on the monotonic clock: the one way durations are measured (training
/// and evaluation times, run durations, progress).
public func secondsSince(_ start: ContinuousClock.Instant) -> Double {
    let d = ContinuousClock.now - start
    return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
}
