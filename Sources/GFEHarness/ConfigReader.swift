import GFECore
import GFEData

/// A coding key for any field name, so a strict decoder sees every key present (a misspelt "batchsize" is
/// reported instead of silently taking the default).
struct ConfigKey: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }
    init(_ s: String) { stringValue = s }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { return nil }
}

/// Reads one object of a training configuration field by field. Absent fields return nil (the caller keeps
/// its default), present fields must have the right type, and unknown fields are rejected on construction.
/// Every failure is a `GFEError.badInput` naming the full dotted path of the field ("optimiser.lr"), what
/// was found and what is allowed, with a did-you-mean suggestion for misspelt names.
struct ConfigReader {
    let container: KeyedDecodingContainer<ConfigKey>
    /// Dotted path of this object ("" at the top level).
    let path: String
    /// First words of every message, e.g. "training config".
    let what: String

    init(_ decoder: Decoder, what: String = "training config", allowed: [String]) throws {
        self.what = what
        path = decoder.codingPath.map(\.stringValue).joined(separator: ".")
        do {
            container = try decoder.container(keyedBy: ConfigKey.self)
        } catch {
            let place = path.isEmpty ? "" : " field '\(path)'"
            throw GFEError.badInput("\(what):\(place) must be an object of named fields")
        }
        let unknown = container.allKeys.map(\.stringValue).filter { !allowed.contains($0) }.sorted()
        if let first = unknown.first {
            throw GFEError.badInput("\(what): unknown field '\(qualified(first))'\(didYouMean(first, among: allowed)); "
                                    + "allowed fields\(path.isEmpty ? "" : " of '\(path)'") are "
                                    + allowed.map { "'\($0)'" }.joined(separator: ", "))
        }
    }

    /// `key` with this object's path in front.
    func qualified(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func has(_ key: String) -> Bool { container.contains(ConfigKey(key)) }

    /// A `badInput` error for a present field whose value is out of range.
    func outOfRange(_ key: String, _ value: Any, _ rule: String) -> GFEError {
        .badInput("\(what): '\(qualified(key))' is \(value); it must be \(rule)")
    }

    /// The value of `key` if present (null counts as absent). `expected` describes the type for messages.
    func value<V: Decodable>(_ key: String, _ type: V.Type, expected: String) throws -> V? {
        guard has(key) else { return nil }
        if (try? container.decodeNil(forKey: ConfigKey(key))) == true { return nil }
        do {
            return try container.decode(V.self, forKey: ConfigKey(key))
        } catch let error as ReportableError {
            throw error   // a nested strict decoder already named the problem
        } catch {
            throw GFEError.badInput("\(what): field '\(qualified(key))' must be \(expected)")
        }
    }

    func int(_ key: String) throws -> Int? { try value(key, Int.self, expected: "an integer") }
    func double(_ key: String) throws -> Double? { try value(key, Double.self, expected: "a number") }
    func bool(_ key: String) throws -> Bool? { try value(key, Bool.self, expected: "true or false") }
    func string(_ key: String) throws -> String? { try value(key, String.self, expected: "a string") }
    func seed(_ key: String) throws -> UInt64? {
        try value(key, UInt64.self, expected: "a non-negative integer below 2^64")
    }
    func intArray(_ key: String) throws -> [Int]? { try value(key, [Int].self, expected: "an array of integers") }

    /// An integer ≥ `minimum`, if present.
    func int(_ key: String, atLeast minimum: Int) throws -> Int? {
        guard let v = try int(key) else { return nil }
        guard v >= minimum else { throw outOfRange(key, v, "at least \(minimum)") }
        return v
    }

    /// A string naming one of `E`'s cases; the message lists the allowed values with a suggestion.
    func choice<E: RawRepresentable & CaseIterable>(_ key: String, _ type: E.Type) throws -> E?
    where E.RawValue == String {
        let allowed = E.allCases.map(\.rawValue)
        let list = allowed.map { "'\($0)'" }.joined(separator: ", ")
        guard let raw = try value(key, String.self, expected: "one of \(list)") else { return nil }
        guard let v = E(rawValue: raw) else {
            throw GFEError.badInput("\(what): field '\(qualified(key))' is '\(raw)'\(didYouMean(raw, among: allowed)); "
                                    + "expected one of \(list)")
        }
        return v
    }

    /// A nested object decoded by its own (strict) decoder, if present.
    func nested<V: Decodable>(_ key: String, _ type: V.Type) throws -> V? {
        try value(key, V.self, expected: "an object")
    }
}

/// Writes one object field by field under arbitrary keys.
struct ConfigWriter {
    var container: KeyedEncodingContainer<ConfigKey>
    init(_ encoder: Encoder) { container = encoder.container(keyedBy: ConfigKey.self) }
    mutating func put<V: Encodable>(_ key: String, _ value: V) throws {
        try container.encode(value, forKey: ConfigKey(key))
    }
    mutating func putIfPresent<V: Encodable>(_ key: String, _ value: V?) throws {
        try container.encodeIfPresent(value, forKey: ConfigKey(key))
    }
}
