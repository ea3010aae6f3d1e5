import GFECore

/// A coding key for any field name: lets settings decoders see every key present, so a misspelt field
/// ("tua") is reported instead of silently falling back to the default.
struct SettingsKey: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }
    init(_ s: String) { stringValue = s }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { return nil }
}

/// Reads one settings object field by field: absent fields keep their defaults, present fields must have
/// the right type, unknown fields are an error. Every failure is a `GFEError.badInput` naming the object,
/// the field and what was expected.
struct SettingsReader {
    let container: KeyedDecodingContainer<SettingsKey>
    /// E.g. "AMD settings", used as the first words of every message.
    let what: String

    init(_ decoder: Decoder, what: String) throws {
        let path = decoder.codingPath.map(\.stringValue).joined(separator: ".")
        self.what = path.isEmpty ? what : "\(what) at '\(path)'"
        do {
            container = try decoder.container(keyedBy: SettingsKey.self)
        } catch {
            throw GFEError.badInput("\(self.what): expected an object of named fields")
        }
    }

    func has(_ key: String) -> Bool { container.contains(SettingsKey(key)) }

    /// The value of `key` if present. `expected` describes the type for the error message ("a number").
    func value<V: Decodable>(_ key: String, _ type: V.Type, expected: String) throws -> V? {
        guard has(key) else { return nil }
        do {
            return try container.decode(V.self, forKey: SettingsKey(key))
        } catch {
            throw GFEError.badInput("\(what): field '\(key)' must be \(expected)")
        }
    }

    func double(_ key: String) throws -> Double? { try value(key, Double.self, expected: "a number") }
    func int(_ key: String) throws -> Int? { try value(key, Int.self, expected: "an integer") }
    func bool(_ key: String) throws -> Bool? { try value(key, Bool.self, expected: "true or false") }

    /// A string-valued choice; the message lists the allowed values.
    func choice<E: RawRepresentable & CaseIterable>(_ key: String, _ type: E.Type) throws -> E?
    where E.RawValue == String {
        let allowed = E.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ")
        guard let raw = try value(key, String.self, expected: "one of \(allowed)") else { return nil }
        guard let v = E(rawValue: raw) else {
            throw GFEError.badInput("\(what): field '\(key)' is '\(raw)'; expected one of \(allowed)")
        }
        return v
    }

    /// Fails on any key not in `known`, suggesting the allowed names.
    func rejectUnknown(_ known: [String]) throws {
        let unknown = container.allKeys.map(\.stringValue).filter { !known.contains($0) }.sorted()
        if let first = unknown.first {
            throw GFEError.badInput("\(what): unknown field '\(first)'; allowed fields are "
                                    + known.map { "'\($0)'" }.joined(separator: ", "))
        }
    }
}
