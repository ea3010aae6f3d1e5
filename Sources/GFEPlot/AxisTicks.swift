import Foundation

/// How data values map to positions along an axis.
public enum AxisScale: String, Sendable, Equatable {
    /// Position proportional to the value.
    case linear
    /// Position proportional to log₁₀ of the value; values ≤ 0 cannot be drawn (they become gaps).
    case logarithmic
}

/// A tick label: `text`, optionally followed by a superscript `exponent` (for "10⁻³"-style labels).
public struct TickLabel: Sendable, Equatable, CustomStringConvertible {
    public let text: String
    public let exponent: String?
    public init(_ text: String, exponent: String? = nil) {
        self.text = text
        self.exponent = exponent
    }
    public var description: String { exponent.map { "\(text)^\($0)" } ?? text }
    /// Characters, for layout (a superscript counts as 0.7 characters each).
    var visualLength: Double { Double(text.count) + 0.7 * Double(exponent?.count ?? 0) }
}

/// The limits of an axis and its tick values with labels.
///
/// Linear axes use "nice" steps 1, 2 or 5 × 10ᵏ chosen so that about `target` ticks cover the data, and
/// (without fixed limits) extend the limits outward to whole multiples of the step. Logarithmic axes use
/// decades (every d-th decade when the data span more than 8), 1-2-5 per decade for 1–2 decades, 1…9 per
/// decade below one decade, falling back to linear nice ticks when fewer than three would show; limits extend
/// outward to the nearest such tick.
public struct AxisTicks: Sendable, Equatable {
    public let scale: AxisScale
    /// The axis limits (lower < upper).
    public let lower: Double
    public let upper: Double
    /// Tick values inside [lower, upper], increasing.
    public let values: [Double]
    public let labels: [TickLabel]
    /// For linear axes reaching 10⁶ or more, the labels are tick values ÷ 10^multiplierPower, and the axis
    /// label says so (`axisLabel(_:)`); nil otherwise.
    public let multiplierPower: Int?

    init(
        scale: AxisScale, lower: Double, upper: Double, values: [Double], labels: [TickLabel],
        multiplierPower: Int? = nil
    ) {
        self.scale = scale
        self.lower = lower
        self.upper = upper
        self.values = values
        self.labels = labels
        self.multiplierPower = multiplierPower
    }

    /// The axis title with the labels' multiplier appended, e.g. "images seen (×10⁶)".
    public func axisLabel(_ title: String) -> String {
        guard let p = multiplierPower else { return title }
        return title + " (×10" + superscript(p) + ")"
    }

    /// Ticks for data in [dataMin, dataMax] (finite; positive for a logarithmic axis), or within `fixed`
    /// limits when given. Degenerate ranges (dataMin == dataMax) widen around the value.
    public static func make(
        scale: AxisScale, dataMin: Double, dataMax: Double,
        fixed: ClosedRange<Double>? = nil, target: Int = 6
    ) -> AxisTicks {
        switch scale {
        case .linear: return linear(dataMin: dataMin, dataMax: dataMax, fixed: fixed, target: target)
        case .logarithmic: return logarithmic(dataMin: dataMin, dataMax: dataMax, fixed: fixed)
        }
    }

    /// The fraction 0…1 along the axis at which `value` lies (outside 0…1 beyond the limits; NaN when the
    /// value cannot be placed, e.g. ≤ 0 on a logarithmic axis).
    public func fraction(of value: Double) -> Double {
        switch scale {
        case .linear:
            return (value - lower) / (upper - lower)
        case .logarithmic:
            guard value > 0 else { return .nan }
            return (log10(value) - log10(lower)) / (log10(upper) - log10(lower))
        }
    }

    // MARK: Linear

    static func linear(dataMin: Double, dataMax: Double, fixed: ClosedRange<Double>?, target: Int) -> AxisTicks {
        var lo = fixed?.lowerBound ?? dataMin
        var hi = fixed?.upperBound ?? dataMax
        if !(lo.isFinite && hi.isFinite) {
            lo = 0
            hi = 1
        }
        if hi < lo { swap(&lo, &hi) }
        if hi == lo {
            let half = lo == 0 ? 1 : abs(lo) * 0.1
            lo -= half
            hi += half
        }
        let step = NiceStep(approximately: (hi - lo) / Double(max(target - 1, 1)))
        let first: Double
        let last: Double
        if fixed == nil {
            let kLo = (lo / step.value + 1e-9).rounded(.down)
            let kHi = (hi / step.value - 1e-9).rounded(.up)
            // Snap the extended limits to exact tick multiples.
            lo = step.multiple(Int(kLo))
            hi = step.multiple(Int(kHi))
            first = kLo
            last = kHi
        } else {
            first = (lo / step.value - 1e-9).rounded(.up)
            last = (hi / step.value + 1e-9).rounded(.down)
        }
        var values: [Double] = []
        var labels: [TickLabel] = []
        let largest = max(abs(lo), abs(hi))
        let power = largest >= 1e6 ? Int(log10(largest).rounded(.down)) : nil
        if first <= last {
            for k in Int(first)...Int(last) {
                values.append(step.multiple(k))
                labels.append(step.label(for: k, dividedByPowerOfTen: power))
            }
        }
        return AxisTicks(scale: .linear, lower: lo, upper: hi, values: values, labels: labels, multiplierPower: power)
    }

    // MARK: Logarithmic

    static func logarithmic(dataMin: Double, dataMax: Double, fixed: ClosedRange<Double>?) -> AxisTicks {
        var lo = fixed?.lowerBound ?? dataMin
        var hi = fixed?.upperBound ?? dataMax
        if !(lo.isFinite && hi.isFinite && lo > 0 && hi > 0) {
            lo = 1
            hi = 10
        }
        if hi < lo { swap(&lo, &hi) }
        if hi == lo {
            lo /= 2
            hi *= 2
        }
        let span = log10(hi) - log10(lo)
        let mantissas: [Double]
        var decadeStride = 1
        if span > 8 {
            mantissas = [1]
            decadeStride = Int((span / 8).rounded(.up))
        } else if span >= 2 {
            mantissas = [1]
        } else if span >= 0.7 {
            mantissas = [1, 2, 5]
        } else {
            mantissas = [1, 2, 3, 4, 5, 6, 7, 8, 9]
        }
        // Candidate ticks m·10ᵏ over the decades around the data, every `decadeStride`-th decade.
        let kLo = Int(log10(lo).rounded(.down)) - 1
        let kHi = Int(log10(hi).rounded(.up)) + 1
        var candidates: [(value: Double, mantissa: Double, exponent: Int)] = []
        for k in kLo...kHi where ((k % decadeStride) + decadeStride) % decadeStride == 0 {
            for m in mantissas { candidates.append((m * pow(10, Double(k)), m, k)) }
        }
        let tolerance = 1e-9
        if fixed == nil {
            // Extend outward to the nearest candidates.
            if let below = candidates.last(where: { $0.value <= lo * (1 + tolerance) }) { lo = below.value }
            if let above = candidates.first(where: { $0.value >= hi * (1 - tolerance) }) { hi = above.value }
        }
        let inside = candidates.filter { $0.value >= lo * (1 - tolerance) && $0.value <= hi * (1 + tolerance) }
        if inside.count < 3 {
            // Less than a tick per third of the axis: label it like a linear axis (positions stay logarithmic).
            let ticks = linear(dataMin: lo, dataMax: hi, fixed: lo...hi, target: 5)
            let keep = ticks.values.indices.filter { ticks.values[$0] > 0 }
            return AxisTicks(
                scale: .logarithmic, lower: lo, upper: hi,
                values: keep.map { ticks.values[$0] }, labels: keep.map { ticks.labels[$0] })
        }
        return AxisTicks(
            scale: .logarithmic, lower: lo, upper: hi, values: inside.map(\.value),
            labels: inside.map { logLabel(mantissa: $0.mantissa, exponent: $0.exponent) })
    }

    /// 0.001 … 10000 in plain digits, other powers as 10ᵏ (and m×10ᵏ).
    static func logLabel(mantissa m: Double, exponent k: Int) -> TickLabel {
        let mText = String(Int(m))
        if (-3...4).contains(k) {
            if k >= 0 { return TickLabel(mText + String(repeating: "0", count: k)) }
            return TickLabel("0." + String(repeating: "0", count: -k - 1) + mText)
        }
        return TickLabel(m == 1 ? "10" : "\(mText)×10", exponent: String(k).replacingOccurrences(of: "-", with: "−"))
    }
}

/// An integer in Unicode superscript digits (−12 → ⁻¹²).
func superscript(_ k: Int) -> String {
    let digits: [Character: Character] = [
        "0": "⁰", "1": "¹", "2": "²", "3": "³", "4": "⁴", "5": "⁵", "6": "⁶",
        "7": "⁷", "8": "⁸", "9": "⁹", "-": "⁻"
    ]
    return String(String(k).map { digits[$0] ?? $0 })
}

/// A tick step f·10ᵉ with f ∈ {1, 2, 5}, and exact-as-possible multiples and labels of it.
struct NiceStep {
    let factor: Int
    let exponent: Int
    var value: Double { multiple(1) }

    init(approximately raw: Double) {
        let e = Int(log10(raw).rounded(.down))
        let f = raw / pow(10, Double(e))
        switch f {
        case ..<1.5:
            factor = 1
            exponent = e
        case ..<3.5:
            factor = 2
            exponent = e
        case ..<7.5:
            factor = 5
            exponent = e
        default:
            factor = 1
            exponent = e + 1
        }
    }

    /// k·f·10ᵉ, divided by 10⁻ᵉ for negative e so that e.g. 3 × 0.2 gives 0.6 rather than 0.6000000000000001.
    func multiple(_ k: Int) -> Double {
        let m = Double(k * factor)
        return exponent >= 0 ? m * pow(10, Double(exponent)) : m / pow(10, Double(-exponent))
    }

    /// Fixed-point text of the k-th multiple, ÷ 10^power when given, with as many decimals as the step needs.
    func label(for k: Int, dividedByPowerOfTen power: Int?) -> TickLabel {
        if k == 0 { return TickLabel("0") }
        let p = power ?? 0
        let v = multiple(k) / pow(10, Double(p))
        return TickLabel(Self.minus(String(format: "%.\(max(0, p - exponent))f", v)))
    }

    /// A typographic minus sign.
    static func minus(_ s: String) -> String { s.replacingOccurrences(of: "-", with: "−") }
}
