import GFECore

/// Seeded random damage to inputs, for the readers' fuzz tests: whatever a file or a spec turns into, a reader
/// must answer with its value or a bad-input error, never crash, hang or accept garbage silently.
public enum Mutations {
    /// `bytes` truncated, with bits flipped, a span deleted or repeated, or junk appended (one to three of
    /// these, chosen by `rng`).
    public static func damage(_ bytes: [UInt8], rng: inout RNG) -> [UInt8] {
        var out = bytes
        for _ in 0..<(1 + rng.below(3)) {
            guard !out.isEmpty else { return [UInt8(truncatingIfNeeded: rng.next())] }
            switch rng.below(5) {
            case 0: out = Array(out.prefix(rng.below(out.count)))
            case 1:
                for _ in 0..<(1 + rng.below(4)) { out[rng.below(out.count)] ^= UInt8(1 << rng.below(8)) }
            case 2: editSpan(&out, deleting: true, longest: 64, rng: &rng)
            case 3: editSpan(&out, deleting: false, longest: 64, rng: &rng)
            default: out += (0..<(1 + rng.below(32))).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            }
        }
        return out
    }

    /// Values that break assumptions: extremes, wrong kinds, null.
    public static let hostileValues = [
        "0", "-1", "1e308", "-1e308", "1e-400", "1e400", "9223372036854775807", "18446744073709551616", "1.5", "-0",
        "null", "true", "\"\"", "\"x\"", "[]", "{}", "[[]]", "1e15", "100001"
    ]

    /// `text` (JSON) with one to three of: a number replaced by a hostile value, a span deleted or repeated,
    /// a structural character inserted, or the text truncated.
    public static func damage(json text: String, rng: inout RNG) -> String {
        var chars = Array(text)
        for _ in 0..<(1 + rng.below(3)) {
            guard !chars.isEmpty else { return "{" }
            switch rng.below(5) {
            case 0, 1:
                // Replace the number (or literal) at a random place: its run of number characters.
                let numberChars = Set("0123456789.eE+-")
                let digits = chars.indices.filter { chars[$0].isNumber }
                guard let at = digits.isEmpty ? nil : digits[rng.below(digits.count)] else { continue }
                var start = at
                var end = at
                while start > 0 && numberChars.contains(chars[start - 1]) { start -= 1 }
                while end + 1 < chars.count && numberChars.contains(chars[end + 1]) { end += 1 }
                chars.replaceSubrange(start...end, with: Array(hostileValues[rng.below(hostileValues.count)]))
            case 2: editSpan(&chars, deleting: true, longest: 24, rng: &rng)
            case 3: editSpan(&chars, deleting: false, longest: 24, rng: &rng)
            default:
                let structural = Array("{}[],:\"\\")
                chars.insert(structural[rng.below(structural.count)], at: rng.below(chars.count + 1))
            }
        }
        return String(chars)
    }

    /// Deletes, or repeats in place, a random span of at most `longest` elements of a non-empty array.
    static func editSpan<T>(_ a: inout [T], deleting: Bool, longest: Int, rng: inout RNG) {
        let start = rng.below(a.count)
        let span = start..<min(a.count, start + 1 + rng.below(longest))
        if deleting { a.removeSubrange(span) } else { a.insert(contentsOf: a[span], at: start) }
    }
}
