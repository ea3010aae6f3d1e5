import GFECore

/// A coding key for any field name: lets settings decoders see every key present, so a misspelt field
/// ("tua") is reported instead of silently falling back to the default.
public struct SettingsKey: CodingKey {
    public let stringValue: String
    public var intValue: Int? { nil }
    public init(_ s: String) { stringValue = s }
    public init?(stringValue: String) { self.stringValue = stringValue }
    public init?(intValue: Int) { return nil }
}

/// Strict decoding of one settings object, field by field: the one reader behind every settings type of
/// the solvers and of the harness's training configuration.
///
/// Absent fields (and fields that are `null`) read as nil, so the caller keeps its default; present
/// fields must have the right type; fields not in `allowed` are rejected when the reader is made. Every
/// failure is a `GFEError.badInput` that starts with `what`, names the field by its full dotted path from
/// the decoded document ("optimiser.lr", "encoder.tua"), says what was found and what is allowed, and
/// suggests the nearest allowed name for a misspelt field or choice (`didYouMean`).
public struct SettingsReader {
    public let container: KeyedDecodingContainer<SettingsKey>
    /// Dotted path of this object in the decoded document ("" at the top level).
    public let path: String
    /// First words of every message, e.g. "AMD settings" or "training config".
    public let what: String

    /// - Parameter allowed: the field names this object may have; nil when another reader of the same
    ///   object checks them (a reader that only looks at "method" to dispatch to the method's settings).
    public init(_ decoder: Decoder, what: String, allowed: [String]?) throws {
        self.what = what
        path = decoder.codingPath.map(\.stringValue).joined(separator: ".")
        do {
            container = try decoder.container(keyedBy: SettingsKey.self)
        } catch {
            throw GFEError.badInput(
                path.isEmpty
                    ? "\(what): expected an object of named fields"
                    : "\(what): field '\(path)' must be an object of named fields")
        }
        guard let allowed else { return }
        let unknown = container.allKeys.map(\.stringValue).filter { !allowed.contains($0) }.sorted()
        if let first = unknown.first {
            throw problem(
                "unknown field '\(qualified(first))'\(didYouMean(first, among: allowed)); "
                    + "allowed fields\(path.isEmpty ? "" : " of '\(path)'") are \(Self.quoted(allowed))")
        }
    }

    /// `key` with this object's path in front.
    public func qualified(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    public func has(_ key: String) -> Bool { container.contains(SettingsKey(key)) }

    /// A `badInput` error whose message is `what` followed by `text`.
    public func problem(_ text: String) -> GFEError { .badInput("\(what): \(text)") }

    /// A `badInput` error for a present field whose value is out of range.
    public func outOfRange(_ key: String, _ value: Any, _ rule: String) -> GFEError {
        problem("'\(qualified(key))' is \(value); it must be \(rule)")
    }

    /// A `badInput` error for a string field whose value is not among `allowed`, with a suggestion.
    public func unknownValue(_ key: String, _ raw: String, allowed: [String]) -> GFEError {
        problem(
            "field '\(qualified(key))' is '\(raw)'\(didYouMean(raw, among: allowed)); expected one of \(Self.quoted(allowed))"
        )
    }

    /// The value of `key` if present (null counts as absent). `expected` describes the type for messages
    /// ("a number"). A nested strict decoder's own error passes through unchanged.
    public func value<V: Decodable>(_ key: String, _ type: V.Type, expected: String) throws -> V? {
        guard has(key) else { return nil }
        if (try? container.decodeNil(forKey: SettingsKey(key))) == true { return nil }
        do {
            return try container.decode(V.self, forKey: SettingsKey(key))
        } catch let error as ReportableError {
            throw error
        } catch {
            throw problem("field '\(qualified(key))' must be \(expected)")
        }
    }

    public func double(_ key: String) throws -> Double? { try value(key, Double.self, expected: "a number") }
    public func int(_ key: String) throws -> Int? { try value(key, Int.self, expected: "an integer") }
    public func bool(_ key: String) throws -> Bool? { try value(key, Bool.self, expected: "true or false") }
    public func string(_ key: String) throws -> String? { try value(key, String.self, expected: "a string") }
    public func seed(_ key: String) throws -> UInt64? {
        try value(key, UInt64.self, expected: "a non-negative integer below 2^64")
    }
    public func intArray(_ key: String) throws -> [Int]? {
        try value(key, [Int].self, expected: "an array of integers")
    }

    /// An integer ≥ `minimum`, if present.
    public func int(_ key: String, atLeast minimum: Int) throws -> Int? {
        guard let v = try int(key) else { return nil }
        guard v >= minimum else { throw outOfRange(key, v, "at least \(minimum)") }
        return v
    }

    /// A string that must be one of `allowed`, if present.
    public func choice(_ key: String, among allowed: [String]) throws -> String? {
        guard let raw = try value(key, String.self, expected: "one of \(Self.quoted(allowed))") else { return nil }
        guard allowed.contains(raw) else { throw unknownValue(key, raw, allowed: allowed) }
        return raw
    }

    /// A string naming one of `E`'s cases, if present.
    public func choice<E: RawRepresentable & CaseIterable>(_ key: String, _ type: E.Type) throws -> E?
    where E.RawValue == String {
        try choice(key, among: E.allCases.map(\.rawValue)).flatMap(E.init(rawValue:))
    }

    /// A nested object decoded by its own (strict) decoder, if present.
    public func nested<V: Decodable>(_ key: String, _ type: V.Type) throws -> V? {
        try value(key, V.self, expected: "an object")
    }

    /// `'a', 'b', 'c'`: names as messages list them.
    public static func quoted(_ names: [String]) -> String { names.map { "'\($0)'" }.joined(separator: ", ") }
}

/// Writes one settings object field by field under arbitrary keys (the encoding side of `SettingsReader`).
public struct SettingsWriter {
    public var container: KeyedEncodingContainer<SettingsKey>
    public init(_ encoder: Encoder) { container = encoder.container(keyedBy: SettingsKey.self) }
    public mutating func put<V: Encodable>(_ key: String, _ value: V) throws {
        try container.encode(value, forKey: SettingsKey(key))
    }
    public mutating func putIfPresent<V: Encodable>(_ key: String, _ value: V?) throws {
        try container.encodeIfPresent(value, forKey: SettingsKey(key))
    }
}
