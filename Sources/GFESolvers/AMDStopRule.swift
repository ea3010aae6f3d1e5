/// AMD's stop rule (SPEC §4.1): the history of group-mean losses, appended after every accepted step once
/// t ≥ (1 − q)·τ; converged when it holds at least W entries and |slope| < c over the last five.
public enum AMDStopRule {
    /// The mean of numpy.gradient over five equally spaced values h₀…h₄:
    /// numpy.gradient gives [h₁−h₀, (h₂−h₀)/2, (h₃−h₁)/2, (h₄−h₂)/2, h₄−h₃], whose sum telescopes to
    /// −1.5h₀ + 0.5h₁ − 0.5h₃ + 1.5h₄ (h₂ cancels); divided by 5.
    @inlinable
    public static func slope(_ h0: Double, _ h1: Double, _ h2: Double, _ h3: Double, _ h4: Double) -> Double {
        _ = h2
        return (-1.5 * h0 + 0.5 * h1 - 0.5 * h3 + 1.5 * h4) / 5
    }
}

/// The last five history entries of one group and how many were appended in total. Fixed size: no
/// allocation per step.
struct LossHistory {
    private var values: (Double, Double, Double, Double, Double) = (0, 0, 0, 0, 0)
    private(set) var count = 0

    mutating func append(_ v: Double) {
        values = (values.1, values.2, values.3, values.4, v)
        count += 1
    }

    /// True when at least `window` (≥ 5) entries exist and the slope over the last five is below `threshold`
    /// in magnitude.
    func converged(window: Int, threshold: Double) -> Bool {
        guard count >= window, count >= 5 else { return false }
        let s = AMDStopRule.slope(values.0, values.1, values.2, values.3, values.4)
        return abs(s) < threshold
    }
}
