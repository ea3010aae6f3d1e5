import GFECore

/// Encodes an `Encodable` value straight into a `JSONValue` (the counterpart of `JSONValueDecoder`), so a
/// resolved configuration becomes the JSON its run id hashes without being written to text and parsed
/// back. Doubles get `JSONValue(Double)`'s text: integral values as integers, others as Swift prints them.
enum JSONValueEncoder {
    static func encode<T: Encodable>(_ value: T) throws -> JSONValue {
        try Node.boxed(value, codingPath: []).json
    }

    /// A value being built; containers write into it (a class, so nested containers share it).
    final class Node {
        enum Kind {
            case empty
            case scalar(JSONValue)
            case object(keys: [String], children: [String: Node])
            case array([Node])
        }
        var kind = Kind.empty

        var json: JSONValue {
            switch kind {
            case .empty: return .null
            case .scalar(let v): return v
            case .object(let keys, let children):
                return .object(JSONObject(keys.compactMap { k in children[k].map { (k, $0.json) } }))
            case .array(let items): return .array(items.map(\.json))
            }
        }

        /// The node for `value`: JSON's scalars directly, anything else by its own `encode(to:)`.
        static func boxed<T: Encodable>(_ value: T, codingPath: [CodingKey]) throws -> Node {
            let node = Node()
            switch value {
            case let v as Bool: node.kind = .scalar(.bool(v))
            case let v as String: node.kind = .scalar(.string(v))
            case let v as Double: node.kind = .scalar(try number(v, codingPath))
            case let v as Float: node.kind = .scalar(try number(Double(v), codingPath))
            case let v as Int: node.kind = .scalar(JSONValue(v))
            case let v as Int32: node.kind = .scalar(JSONValue(Int(v)))
            case let v as UInt32: node.kind = .scalar(JSONValue(UInt64(v)))
            case let v as UInt64: node.kind = .scalar(JSONValue(v))
            default: try value.encode(to: NodeEncoder(node: node, codingPath: codingPath))
            }
            return node
        }

        static func number(_ v: Double, _ codingPath: [CodingKey]) throws -> JSONValue {
            guard v.isFinite else {
                throw EncodingError.invalidValue(
                    v, .init(codingPath: codingPath, debugDescription: "JSON has no \(v)"))
            }
            return JSONValue(v)
        }

        func set(_ key: String, _ child: Node) {
            guard case .object(var keys, var children) = kind else {
                kind = .object(keys: [key], children: [key: child])
                return
            }
            if children.updateValue(child, forKey: key) == nil { keys.append(key) }
            kind = .object(keys: keys, children: children)
        }

        func append(_ child: Node) {
            guard case .array(var items) = kind else {
                kind = .array([child])
                return
            }
            items.append(child)
            kind = .array(items)
        }
    }

    struct NodeEncoder: Encoder {
        let node: Node
        let codingPath: [CodingKey]
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
            if case .object = node.kind {} else { node.kind = .object(keys: [], children: [:]) }
            return KeyedEncodingContainer(Keyed<Key>(node: node, codingPath: codingPath))
        }

        func unkeyedContainer() -> UnkeyedEncodingContainer {
            if case .array = node.kind {} else { node.kind = .array([]) }
            return Unkeyed(node: node, codingPath: codingPath)
        }

        func singleValueContainer() -> SingleValueEncodingContainer { Single(node: node, codingPath: codingPath) }
    }

    struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let node: Node
        let codingPath: [CodingKey]

        mutating func encodeNil(forKey key: Key) { node.set(key.stringValue, Node()) }
        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
            node.set(key.stringValue, try Node.boxed(value, codingPath: codingPath + [key]))
        }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
            -> KeyedEncodingContainer<NestedKey>
        {
            let child = Node()
            node.set(key.stringValue, child)
            return NodeEncoder(node: child, codingPath: codingPath + [key]).container(keyedBy: keyType)
        }
        mutating func nestedUnkeyedContainer(forKey key: Key) -> UnkeyedEncodingContainer {
            let child = Node()
            node.set(key.stringValue, child)
            return NodeEncoder(node: child, codingPath: codingPath + [key]).unkeyedContainer()
        }
        mutating func superEncoder() -> Encoder { NodeEncoder(node: node, codingPath: codingPath) }
        mutating func superEncoder(forKey key: Key) -> Encoder {
            let child = Node()
            node.set(key.stringValue, child)
            return NodeEncoder(node: child, codingPath: codingPath + [key])
        }
    }

    struct Unkeyed: UnkeyedEncodingContainer {
        let node: Node
        let codingPath: [CodingKey]
        var count: Int {
            if case .array(let items) = node.kind { return items.count }
            return 0
        }

        mutating func encodeNil() { node.append(Node()) }
        mutating func encode<T: Encodable>(_ value: T) throws {
            node.append(try Node.boxed(value, codingPath: codingPath))
        }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type)
            -> KeyedEncodingContainer<NestedKey>
        {
            let child = Node()
            node.append(child)
            return NodeEncoder(node: child, codingPath: codingPath).container(keyedBy: keyType)
        }
        mutating func nestedUnkeyedContainer() -> UnkeyedEncodingContainer {
            let child = Node()
            node.append(child)
            return NodeEncoder(node: child, codingPath: codingPath).unkeyedContainer()
        }
        mutating func superEncoder() -> Encoder {
            let child = Node()
            node.append(child)
            return NodeEncoder(node: child, codingPath: codingPath)
        }
    }

    struct Single: SingleValueEncodingContainer {
        let node: Node
        let codingPath: [CodingKey]
        mutating func encodeNil() { node.kind = .scalar(.null) }
        mutating func encode<T: Encodable>(_ value: T) throws {
            node.kind = try Node.boxed(value, codingPath: codingPath).kind
        }
    }
}
