/// A JSON value as an experiment spec holds it: objects keep their keys in file order (sweep axes run in
/// the order they are written), numbers keep their literal text (so `16` and `16.0` reach the strict
/// decoders as written, and integers of any size survive).
///
/// Two values are equal when their canonical texts are equal (`canonicalText`): key order is ignored and
/// numbers compare by value in the canonical form (`1e4` equals `10000`).
public enum JSONValue: Sendable, CustomStringConvertible {
    case null
    case bool(Bool)
    /// The number's literal JSON text, e.g. "16", "-0.5", "1e-05".
    case number(String)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    public init(_ value: Int) { self = .number(String(value)) }
    public init(_ value: UInt64) { self = .number(String(value)) }
    public init(_ value: Double) { self = .number(JSONValue.canonicalNumber(String(value))) }

    /// The kind of value, for messages ("a string", "an object").
    public var kindDescription: String {
        switch self {
        case .null: "null"
        case .bool: "true or false"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    public var stringValue: String? { if case .string(let s) = self { s } else { nil } }
    public var objectValue: JSONObject? { if case .object(let o) = self { o } else { nil } }
    public var arrayValue: [JSONValue]? { if case .array(let a) = self { a } else { nil } }
    public var boolValue: Bool? { if case .bool(let b) = self { b } else { nil } }

    /// The number as a Double (nil for non-numbers).
    public var doubleValue: Double? {
        guard case .number(let text) = self else { return nil }
        return Double(text)
    }

    /// The number as an Int when it is an integer literal (or a decimal literal with an integral value,
    /// like `16.0` or `1e3`) within Int's range.
    public var intValue: Int? {
        guard case .number(let text) = self else { return nil }
        if let i = Int(text) { return i }
        guard let d = Double(text), d.isFinite, d == d.rounded(), abs(d) < 9.0e15 else { return nil }
        return Int(d)
    }

    /// The number as a UInt64 when it is a non-negative integer in range.
    public var uint64Value: UInt64? {
        guard case .number(let text) = self else { return nil }
        return UInt64(text) ?? Self.exactUnsignedInteger(text)
    }

    /// Number text as an unsigned integer when it is one exactly, in decimal arithmetic (no Double rounding):
    /// "1e19", "2.5e3", "20.0"; nil for a fraction, a negative number or one beyond 2^64 − 1.
    static func exactUnsignedInteger(_ text: String) -> UInt64? {
        let parts = text.lowercased().split(separator: "e", maxSplits: 1, omittingEmptySubsequences: false)
        guard let mantissa = parts.first, !mantissa.hasPrefix("-"),
            var exponent = parts.count == 2 ? Int(parts[1]) : 0, abs(exponent) <= 40
        else { return nil }
        var digits = String(mantissa)
        if let dot = digits.firstIndex(of: ".") {
            exponent -= digits.distance(from: dot, to: digits.endIndex) - 1
            digits.remove(at: dot)
        }
        while exponent < 0 {
            guard digits.last == "0" else { return nil }
            digits.removeLast()
            exponent += 1
        }
        return UInt64(digits + String(repeating: "0", count: exponent))
    }

    // MARK: - Text

    /// Compact text with keys sorted by Unicode scalar values and numbers in canonical form: the text a
    /// run id hashes. Integers print as integers ("16"); other numbers as the shortest text that reads back
    /// to the same Double ("0.0005", "1e-05"), an integral Double below 2^53 as an integer ("10000").
    public var canonicalText: String {
        var out = ""
        writeCanonical(into: &out)
        return out
    }

    /// Compact text with keys in their stored order and numbers as written (what the strict decoders read).
    public var compactText: String {
        var out = ""
        write(into: &out, indent: nil, level: 0)
        return out
    }

    /// Indented text (two spaces), keys in stored order, numbers canonical: for people.
    public func prettyText(sortedKeys: Bool = false) -> String {
        var out = ""
        let value = sortedKeys ? sortedRecursively : self
        value.write(into: &out, indent: "  ", level: 0, canonicalNumbers: true)
        return out
    }

    /// A short one-line form for plan listings: strings bare, everything else compact canonical.
    public var shortText: String {
        if case .string(let s) = self { return s }
        return canonicalText
    }

    public var description: String { compactText }

    /// The same value with every object's keys sorted.
    public var sortedRecursively: JSONValue {
        switch self {
        case .array(let a): return .array(a.map(\.sortedRecursively))
        case .object(let o):
            var sorted = JSONObject()
            for (key, value) in o.pairs.sorted(by: { JSONValue.keyOrder($0.key, $1.key) }) {
                sorted[key] = value.sortedRecursively
            }
            return .object(sorted)
        default: return self
        }
    }

    /// Key order of the canonical form: by Unicode scalar values.
    static func keyOrder(_ a: String, _ b: String) -> Bool {
        a.unicodeScalars.lexicographicallyPrecedes(b.unicodeScalars)
    }

    private func writeCanonical(into out: inout String) {
        switch self {
        case .object(let o):
            out += "{"
            for (i, (key, value)) in o.pairs.sorted(by: { JSONValue.keyOrder($0.key, $1.key) }).enumerated() {
                if i > 0 { out += "," }
                JSONValue.writeString(key, into: &out)
                out += ":"
                value.writeCanonical(into: &out)
            }
            out += "}"
        case .array(let a):
            out += "["
            for (i, v) in a.enumerated() {
                if i > 0 { out += "," }
                v.writeCanonical(into: &out)
            }
            out += "]"
        case .number(let text): out += JSONValue.canonicalNumber(text)
        default: write(into: &out, indent: nil, level: 0)
        }
    }

    private func write(into out: inout String, indent: String?, level: Int, canonicalNumbers: Bool = false) {
        let newline = indent == nil ? "" : "\n"
        let pad = { (n: Int) in indent.map { String(repeating: $0, count: n) } ?? "" }
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let text): out += canonicalNumbers ? JSONValue.canonicalNumber(text) : text
        case .string(let s): JSONValue.writeString(s, into: &out)
        case .array(let a):
            if a.isEmpty {
                out += "[]"
                return
            }
            // Arrays of scalars stay on one line: `"imagesSeen": [480, 960]` reads better than a column.
            let flat = a.allSatisfy { if case .array = $0 { false } else if case .object = $0 { false } else { true } }
            if flat || indent == nil {
                out += "["
                for (i, v) in a.enumerated() {
                    if i > 0 { out += indent == nil ? "," : ", " }
                    v.write(into: &out, indent: indent, level: level + 1, canonicalNumbers: canonicalNumbers)
                }
                out += "]"
                return
            }
            out += "[" + newline
            for (i, v) in a.enumerated() {
                out += pad(level + 1)
                v.write(into: &out, indent: indent, level: level + 1, canonicalNumbers: canonicalNumbers)
                out += (i + 1 < a.count ? "," : "") + newline
            }
            out += pad(level) + "]"
        case .object(let o):
            if o.isEmpty {
                out += "{}"
                return
            }
            out += "{" + newline
            for (i, (key, value)) in o.pairs.enumerated() {
                out += pad(level + 1)
                JSONValue.writeString(key, into: &out)
                out += indent == nil ? ":" : ": "
                value.write(into: &out, indent: indent, level: level + 1, canonicalNumbers: canonicalNumbers)
                out += (i + 1 < o.count ? "," : "") + newline
            }
            out += pad(level) + "}"
        }
    }

    /// A JSON string literal: `"` and `\` escaped, control characters as \n, \t, … or \u00XX; everything
    /// else (non-ASCII included) as UTF-8.
    static func writeString(_ s: String, into out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }

    /// The canonical text of a JSON number literal (see `canonicalText`).
    static func canonicalNumber(_ text: String) -> String {
        let isInteger = !text.contains { $0 == "." || $0 == "e" || $0 == "E" }
        if isInteger {
            // JSON forbids leading zeros, so only "-0" needs normalising.
            return text == "-0" ? "0" : text
        }
        guard let d = Double(text) else { return text }
        if d.isFinite && d == d.rounded() && abs(d) < 9_007_199_254_740_992 {
            return d == 0 ? "0" : String(Int64(d))
        }
        return "\(d)"
    }
}

extension JSONValue: Equatable {
    public static func == (a: JSONValue, b: JSONValue) -> Bool { a.canonicalText == b.canonicalText }
}

extension JSONValue: Hashable {
    public func hash(into hasher: inout Hasher) { hasher.combine(canonicalText) }
}

/// A JSON object with its keys in insertion order.
public struct JSONObject: Sendable, Equatable {
    public private(set) var keys: [String] = []
    private var values: [String: JSONValue] = [:]

    public init() {}

    public init(_ pairs: [(String, JSONValue)]) {
        for (k, v) in pairs { self[k] = v }
    }

    public var count: Int { keys.count }
    public var isEmpty: Bool { keys.isEmpty }
    public func contains(_ key: String) -> Bool { values[key] != nil }

    /// Setting a new key appends it; setting nil removes the key.
    public subscript(key: String) -> JSONValue? {
        get { values[key] }
        set {
            if let newValue {
                if values.updateValue(newValue, forKey: key) == nil { keys.append(key) }
            } else if values.removeValue(forKey: key) != nil {
                keys.removeAll { $0 == key }
            }
        }
    }

    /// The (key, value) pairs in order.
    public var pairs: [(key: String, value: JSONValue)] { keys.compactMap { k in values[k].map { (k, $0) } } }

    public static func == (a: JSONObject, b: JSONObject) -> Bool { a.values == b.values }
}
