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
/// Absent fields read as nil, so the caller keeps its default; present fields must have the right type
/// (null is refused); fields not in `allowed` are rejected when the reader is made. Every
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

    /// The value of `key` if present. `expected` describes the type for messages ("a number"). null is an
    /// error, not a silent default: the way to ask for the default is to leave the field out. A nested strict
    /// decoder's own error passes through unchanged.
    public func value<V: Decodable>(_ key: String, _ type: V.Type, expected: String) throws -> V? {
        guard has(key) else { return nil }
        if (try? container.decodeNil(forKey: SettingsKey(key))) == true {
            throw problem("field '\(qualified(key))' is null; it must be \(expected), or left out for its default")
        }
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

/// A value a settings field can hold, read with the right type check and message.
public protocol SettingsValue: Encodable {
    static func read(_ reader: SettingsReader, _ key: String) throws -> Self?
}

extension Double: SettingsValue {
    public static func read(_ r: SettingsReader, _ key: String) throws -> Double? { try r.double(key) }
}
extension Int: SettingsValue {
    public static func read(_ r: SettingsReader, _ key: String) throws -> Int? { try r.int(key) }
}
extension Bool: SettingsValue {
    public static func read(_ r: SettingsReader, _ key: String) throws -> Bool? { try r.bool(key) }
}
extension UInt64: SettingsValue {
    public static func read(_ r: SettingsReader, _ key: String) throws -> UInt64? { try r.seed(key) }
}
extension Array: SettingsValue where Element == Int {
    public static func read(_ r: SettingsReader, _ key: String) throws -> [Int]? { try r.intArray(key) }
}

/// An enumeration written as one of its case names: read with a did-you-mean for a misspelt name.
public protocol SettingsChoice: SettingsValue, Codable, Sendable, RawRepresentable, CaseIterable
where RawValue == String {}

extension SettingsChoice {
    public static func read(_ r: SettingsReader, _ key: String) throws -> Self? { try r.choice(key, Self.self) }
}

/// What a field's value must satisfy: nil when it does, otherwise the rule as messages state it
/// ("a positive number").
public struct SettingsRule<V> {
    public let violation: (V) -> String?

    public init(_ violation: @escaping (V) -> String?) { self.violation = violation }

    /// A rule that holds when `holds` does, stated as `text`.
    public init(_ text: String, _ holds: @escaping (V) -> Bool) { violation = { holds($0) ? nil : text } }
}

extension SettingsRule where V == Double {
    public static var positive: Self { Self("a positive number") { $0.isFinite && $0 > 0 } }
    public static var nonNegative: Self { Self("a non-negative number") { $0.isFinite && $0 >= 0 } }
    public static var finite: Self { Self("a finite number") { $0.isFinite } }
    public static var betweenZeroAndOne: Self { Self("between 0 and 1") { $0 >= 0 && $0 <= 1 } }
    public static var strictlyBetweenZeroAndOne: Self { Self("strictly between 0 and 1") { $0 > 0 && $0 < 1 } }
    /// [0, 1): a moving-average factor.
    public static var unitInterval: Self { Self("in [0, 1)") { $0 >= 0 && $0 < 1 } }
}

extension SettingsRule where V == Int {
    public static func atLeast(_ minimum: Int, _ why: String = "") -> Self {
        Self("at least \(minimum)\(why)") { $0 >= minimum }
    }

    /// A count in `range`: the upper bound keeps sizes within what memory and time can hold, and every
    /// product of them within Int.
    public static func within(_ range: ClosedRange<Int>, _ why: String = "") -> Self {
        Self("from \(grouped(range.lowerBound)) to \(grouped(range.upperBound))\(why)") { range.contains($0) }
    }
}

/// One field of a settings object: its name, written here once, and how it is read, written and checked.
/// A settings type lists its fields (`SettingsFields.fields`); reading, writing, the allowed names and the
/// range checks all come from that list.
public struct SettingsField<Root> {
    public let name: String
    /// Whether the field belongs to settings of this kind (an optimiser's `alpha` only to RMSprop).
    let applies: (Root) -> Bool
    let read: (SettingsReader, inout Root) throws -> Void
    let write: (Root, inout SettingsWriter) throws -> Void
    /// The value as messages show it and the rule it breaks, or nil when it is in range.
    let violation: (Root) -> (value: String, rule: String)?

    public init(
        _ name: String, applies: @escaping (Root) -> Bool = { _ in true },
        read: @escaping (SettingsReader, inout Root) throws -> Void,
        write: @escaping (Root, inout SettingsWriter) throws -> Void,
        violation: @escaping (Root) -> (value: String, rule: String)? = { _ in nil }
    ) {
        self.name = name
        self.applies = applies
        self.read = read
        self.write = write
        self.violation = violation
    }

    /// A field holding a value (kept at its default when absent or null).
    public static func value<V: SettingsValue>(
        _ name: String, _ path: WritableKeyPath<Root, V>, _ rule: SettingsRule<V>? = nil,
        applies: @escaping (Root) -> Bool = { _ in true }
    ) -> Self {
        Self(
            name, applies: applies,
            read: { r, root in if let v = try V.read(r, name) { root[keyPath: path] = v } },
            write: { root, w in try w.put(name, root[keyPath: path]) },
            violation: { root in
                rule?.violation(root[keyPath: path]).map { ("\(root[keyPath: path])", $0) }
            })
    }

    /// A field holding a value, written only when it differs from `standard`: a choice added after run ids
    /// were first made, whose standard value must leave the ids of configurations without it unchanged.
    public static func value<V: SettingsValue & Equatable>(
        _ name: String, _ path: WritableKeyPath<Root, V>, _ rule: SettingsRule<V>? = nil, omittedWhen standard: V
    ) -> Self {
        Self(
            name, read: { r, root in if let v = try V.read(r, name) { root[keyPath: path] = v } },
            write: { root, w in if root[keyPath: path] != standard { try w.put(name, root[keyPath: path]) } },
            violation: { root in
                rule?.violation(root[keyPath: path]).map { ("\(root[keyPath: path])", $0) }
            })
    }

    /// An optional field: written only when set.
    public static func optional<V: SettingsValue>(
        _ name: String, _ path: WritableKeyPath<Root, V?>, _ rule: SettingsRule<V>? = nil
    ) -> Self {
        Self(
            name,
            read: { r, root in if let v = try V.read(r, name) { root[keyPath: path] = v } },
            write: { root, w in try w.putIfPresent(name, root[keyPath: path]) },
            violation: { root in
                guard let v = root[keyPath: path] else { return nil }
                return rule?.violation(v).map { ("\(v)", $0) }
            })
    }

    /// A field holding a settings object of its own (decoded by its own strict decoder).
    public static func nested<V: Codable>(_ name: String, _ path: WritableKeyPath<Root, V>) -> Self {
        Self(
            name, read: { r, root in if let v = try r.nested(name, V.self) { root[keyPath: path] = v } },
            write: { root, w in try w.put(name, root[keyPath: path]) })
    }

    /// A settings object written only when it differs from `standard`: a field added after run ids were first
    /// made leaves the ids (hashes of the written configuration) of configurations that do not use it as
    /// they were.
    public static func nested<V: Codable & Equatable>(
        _ name: String, _ path: WritableKeyPath<Root, V>, omittedWhen standard: V
    ) -> Self {
        Self(
            name, read: { r, root in if let v = try r.nested(name, V.self) { root[keyPath: path] = v } },
            write: { root, w in if root[keyPath: path] != standard { try w.put(name, root[keyPath: path]) } })
    }

    /// An optional settings object: written only when set.
    public static func nested<V: Codable>(_ name: String, _ path: WritableKeyPath<Root, V?>) -> Self {
        Self(
            name, read: { r, root in if let v = try r.nested(name, V.self) { root[keyPath: path] = v } },
            write: { root, w in try w.putIfPresent(name, root[keyPath: path]) })
    }
}

/// Settings whose fields are listed once, in `fields`: decoding, encoding, the allowed names and the range
/// checks all follow from that list.
///
/// Decoding starts from `init(defaultsFor:)` (the defaults, which may depend on a field such as a preset or
/// a method), reads every field present, checks every range, then `checkDecoded`.
public protocol SettingsFields: Codable {
    static var fields: [SettingsField<Self>] { get }
    /// The first words of every message about these settings ("AMD settings").
    static var settingsName: String { get }
    /// Names the object may hold besides its fields (an encoder's "method", read by `EncoderSettings`).
    static var alsoAllowed: [String] { get }
    /// The defaults for the object `reader` reads.
    init(defaultsFor reader: SettingsReader) throws
    /// Checks of field combinations once every field is read; `reader` names fields by their path.
    func checkDecoded(_ reader: SettingsReader) throws
}

extension SettingsFields {
    public static var alsoAllowed: [String] { [] }
    public func checkDecoded(_ reader: SettingsReader) throws {}

    public init(from decoder: Decoder) throws {
        let defaults = try SettingsReader(decoder, what: Self.settingsName, allowed: nil)
        self = try Self(defaultsFor: defaults)
        let reader = try SettingsReader(decoder, what: Self.settingsName, allowed: fieldNames + Self.alsoAllowed)
        try read(reader)
        try checkDecoded(reader)
    }

    public func encode(to encoder: Encoder) throws {
        var w = SettingsWriter(encoder)
        try write(&w)
    }

    /// The names of the fields that apply to these settings.
    public var fieldNames: [String] { Self.fields.filter { $0.applies(self) }.map(\.name) }

    /// Reads every field present into `self` (absent fields keep their values), then checks every range: a
    /// value out of range is named by its path in the document.
    public mutating func read(_ r: SettingsReader) throws {
        let fields = Self.fields.filter { $0.applies(self) }
        for field in fields { try field.read(r, &self) }
        for field in fields {
            if let bad = field.violation(self) { throw r.outOfRange(field.name, bad.value, bad.rule) }
        }
    }

    /// Writes every field that applies (fully resolved).
    public func write(_ w: inout SettingsWriter) throws {
        for field in Self.fields where field.applies(self) { try field.write(self, &w) }
    }

    /// Checks every field's range (settings made in code rather than decoded).
    public func checkRanges() throws(GFEError) {
        for field in Self.fields where field.applies(self) {
            if let bad = field.violation(self) {
                throw .badInput("\(Self.settingsName): '\(field.name)' is \(bad.value); it must be \(bad.rule)")
            }
        }
    }
}
