import Testing

/// The outcome of comparing two arrays elementwise with the `numpy.allclose` rule
/// |actual − expected| ≤ absolute + relative·|expected|, with the worst coordinate for the failure message.
public struct ToleranceReport: CustomStringConvertible, Sendable {
    public let count: Int
    public let failures: Int
    /// Index of the coordinate with the largest error / allowed ratio (nil for empty input), translated
    /// through `labels` when the compared arrays are a sample of a larger vector.
    public let worstIndex: Int?
    public let worstActual: Double
    public let worstExpected: Double
    /// |actual − expected| / (absolute + relative·|expected|) at the worst coordinate; ≤ 1 passes.
    /// Infinite when a value is non-finite and the pair is not identical.
    public let worstRatio: Double
    public let relative: Double
    public let absolute: Double
    /// Set when the arrays' counts differ (then nothing else is meaningful).
    public let countMismatch: (actual: Int, expected: Int)?

    public var passed: Bool { countMismatch == nil && failures == 0 }

    public var description: String {
        if let (a, e) = countMismatch { return "count mismatch: actual has \(a) elements, expected \(e)" }
        guard let i = worstIndex else { return "0 elements compared" }
        let err = abs(worstActual - worstExpected)
        return "\(failures) of \(count) outside |Δ| ≤ \(absolute) + \(relative)·|expected|; worst at [\(i)]: "
            + "actual \(worstActual), expected \(worstExpected), |Δ| = \(err), \(worstRatio)× the allowance"
    }
}

/// Compares elementwise (see `ToleranceReport`). `labels[k]` names coordinate k in the report.
public func compareClose(
    _ actual: [Double], _ expected: [Double], relative: Double, absolute: Double, labels: [Int]? = nil
) -> ToleranceReport {
    guard actual.count == expected.count else {
        return ToleranceReport(
            count: 0, failures: 1, worstIndex: nil, worstActual: .nan, worstExpected: .nan,
            worstRatio: .infinity, relative: relative, absolute: absolute,
            countMismatch: (actual.count, expected.count))
    }
    var failures = 0
    var worst: (k: Int, ratio: Double)? = nil
    for k in actual.indices {
        let (a, e) = (actual[k], expected[k])
        let ratio: Double
        if a == e {
            ratio = 0  // covers equal infinities
        } else if !a.isFinite || !e.isFinite {
            ratio = .infinity
        } else {
            let allowed = absolute + relative * abs(e)
            ratio = allowed > 0 ? abs(a - e) / allowed : .infinity
        }
        if !(ratio <= 1) { failures += 1 }
        if worst == nil || ratio > worst!.ratio || ratio.isNaN { worst = (k, ratio) }
    }
    let k = worst?.k
    return ToleranceReport(
        count: actual.count, failures: failures, worstIndex: k.map { labels?[$0] ?? $0 },
        worstActual: k.map { actual[$0] } ?? .nan, worstExpected: k.map { expected[$0] } ?? .nan,
        worstRatio: worst?.ratio ?? 0, relative: relative, absolute: absolute, countMismatch: nil)
}

/// Records a test issue (at the caller's location) unless `actual` and `expected` agree elementwise within
/// absolute + relative·|expected|; the issue names the worst coordinate.
public func expectClose<A: BinaryFloatingPoint, E: BinaryFloatingPoint>(
    _ actual: [A], _ expected: [E], relative: Double, absolute: Double, labels: [Int]? = nil,
    _ comment: @autoclosure () -> String = "", sourceLocation: SourceLocation = #_sourceLocation
) {
    let report = compareClose(
        actual.map { Double($0) }, expected.map { Double($0) },
        relative: relative, absolute: absolute, labels: labels)
    if !report.passed {
        let prefix = comment()
        Issue.record("\(prefix.isEmpty ? "" : prefix + ": ")\(report)", sourceLocation: sourceLocation)
    }
}

/// Scalar form of `expectClose`.
public func expectClose<A: BinaryFloatingPoint, E: BinaryFloatingPoint>(
    _ actual: A, _ expected: E, relative: Double, absolute: Double,
    _ comment: @autoclosure () -> String = "", sourceLocation: SourceLocation = #_sourceLocation
) {
    expectClose([actual], [expected], relative: relative, absolute: absolute, comment(), sourceLocation: sourceLocation)
}
