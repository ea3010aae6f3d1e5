import GFECore
import GFESolvers

/// Decodes a `Decodable` value straight from a parsed `JSONValue`, so a spec's text is parsed once
/// (`JSONParser`) and its configuration reaches the strict settings decoders as typed values, never
/// written back to text. Numbers convert from their literal text as `JSONDecoder` converts them: an integer
/// type takes an integral literal in range (`16`, `16.0`, `1e3`), a floating-point type any finite one.
/// Mismatches are `DecodingError`s, which the settings readers turn into messages naming the field.
struct JSONValueDecoder: Decoder {
    let value: JSONValue
    let codingPath: [CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(_ value: JSONValue, codingPath: [CodingKey] = []) {
        self.value = value
        self.codingPath = codingPath
    }

    static func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws -> T {
        try JSONValueDecoder(value).unbox(type)
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let object) = value else { throw mismatch(JSONObject.self) }
        return KeyedDecodingContainer(KeyedContainer<Key>(object: object, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> UnkeyedDecodingContainer {
        guard case .array(let items) = value else { throw mismatch([JSONValue].self) }
        return UnkeyedContainer(items: items, codingPath: codingPath)
    }

    func singleValueContainer() throws -> SingleValueDecodingContainer { SingleValue(decoder: self) }

    func mismatch(_ type: Any.Type) -> DecodingError {
        .typeMismatch(
            type, .init(codingPath: codingPath, debugDescription: "expected \(type), found \(value.kindDescription)"))
    }

    /// The value as `T`: JSON's scalars directly, anything else by its own `init(from:)`.
    func unbox<T: Decodable>(_ type: T.Type) throws -> T {
        let scalar: Any?
        switch (type, value) {
        case (is Bool.Type, .bool(let b)): scalar = b
        case (is String.Type, .string(let s)): scalar = s
        case (is Double.Type, .number(let text)): scalar = Double(text).flatMap { $0.isFinite ? $0 : nil }
        case (is Float.Type, .number(let text)): scalar = Float(text).flatMap { $0.isFinite ? $0 : nil }
        case (is Int.Type, _): scalar = value.intValue
        case (is UInt64.Type, _): scalar = value.uint64Value
        case (is Int32.Type, _): scalar = value.intValue.flatMap(Int32.init(exactly:))
        case (is UInt32.Type, _): scalar = value.intValue.flatMap(UInt32.init(exactly:))
        case (is Bool.Type, _), (is String.Type, _), (is Double.Type, _), (is Float.Type, _): scalar = nil
        default: return try T(from: self)
        }
        guard let typed = scalar as? T else { throw mismatch(T.self) }
        return typed
    }

    private struct KeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let object: JSONObject
        let codingPath: [CodingKey]

        var allKeys: [Key] { object.pairs.compactMap { Key(stringValue: $0.key) } }
        func contains(_ key: Key) -> Bool { object.contains(key.stringValue) }

        func child(_ key: Key) throws -> JSONValueDecoder {
            guard let v = object[key.stringValue] else {
                throw DecodingError.keyNotFound(
                    key, .init(codingPath: codingPath, debugDescription: "no field '\(key.stringValue)'"))
            }
            return JSONValueDecoder(v, codingPath: codingPath + [key])
        }

        func decodeNil(forKey key: Key) throws -> Bool { try child(key).value == .null }
        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try child(key).unbox(type) }
        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
            -> KeyedDecodingContainer<NestedKey>
        { try child(key).container(keyedBy: type) }
        func nestedUnkeyedContainer(forKey key: Key) throws -> UnkeyedDecodingContainer {
            try child(key).unkeyedContainer()
        }
        func superDecoder() throws -> Decoder { JSONValueDecoder(.object(object), codingPath: codingPath) }
        func superDecoder(forKey key: Key) throws -> Decoder { try child(key) }
    }

    private struct UnkeyedContainer: UnkeyedDecodingContainer {
        let items: [JSONValue]
        let codingPath: [CodingKey]
        var currentIndex = 0

        init(items: [JSONValue], codingPath: [CodingKey]) {
            self.items = items
            self.codingPath = codingPath
        }

        var count: Int? { items.count }
        var isAtEnd: Bool { currentIndex >= items.count }

        mutating func next() throws -> JSONValueDecoder {
            guard !isAtEnd else {
                throw DecodingError.valueNotFound(
                    JSONValue.self, .init(codingPath: codingPath, debugDescription: "the array has ended"))
            }
            defer { currentIndex += 1 }
            return JSONValueDecoder(items[currentIndex], codingPath: codingPath + [SettingsKey("\(currentIndex)")])
        }

        mutating func decodeNil() throws -> Bool {
            guard !isAtEnd, items[currentIndex] == .null else { return false }
            currentIndex += 1
            return true
        }
        mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try next().unbox(type) }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws
            -> KeyedDecodingContainer<NestedKey>
        { try next().container(keyedBy: type) }
        mutating func nestedUnkeyedContainer() throws -> UnkeyedDecodingContainer { try next().unkeyedContainer() }
        mutating func superDecoder() throws -> Decoder { try next() }
    }

    private struct SingleValue: SingleValueDecodingContainer {
        let decoder: JSONValueDecoder
        var codingPath: [CodingKey] { decoder.codingPath }
        func decodeNil() -> Bool { decoder.value == .null }
        func decode<T: Decodable>(_ type: T.Type) throws -> T { try decoder.unbox(type) }
    }
}
