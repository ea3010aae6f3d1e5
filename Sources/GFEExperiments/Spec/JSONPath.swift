import GFECore
import GFETraining

/// Paths into JSON documents, in two forms:
///
/// - a *location* in a spec file for messages, JSONPath style: `$.sweep.axes["encoder.beta"][1]`;
/// - a *config path* addressing a field of a run's configuration: dotted names, `encoder.beta`
///   (what sweep axes and `--set` overrides use).
public enum JSONPath {
    /// `parent` extended by an object key: `.key` for plain names, `["key"]` otherwise.
    public static func child(_ parent: String, _ key: String) -> String {
        let plain =
            !key.isEmpty
            && key.unicodeScalars.allSatisfy { s in
                (s >= "a" && s <= "z") || (s >= "A" && s <= "Z") || (s >= "0" && s <= "9") || s == "_"
            } && !(key.first!.isNumber)
        if plain { return "\(parent).\(key)" }
        var quoted = ""
        JSONValue.writeString(key, into: &quoted)
        return "\(parent)[\(quoted)]"
    }

    /// `parent` extended by an array index.
    public static func index(_ parent: String, _ i: Int) -> String { "\(parent)[\(i)]" }
}

/// A dotted path to a field of a run configuration, e.g. `encoder.beta` or `checkpoints.imagesSeen`.
public struct ConfigPath: Hashable, Sendable, CustomStringConvertible, Comparable {
    public let components: [String]

    /// Parses a dotted path: one or more names made of letters, digits and `_`, separated by dots.
    /// `what` describes where the path came from for messages ("$.sweep.axes key", "--set").
    public init(parsing text: String, what: String) throws {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        for part in parts {
            let ok =
                !part.isEmpty
                && part.unicodeScalars.allSatisfy { s in
                    (s >= "a" && s <= "z") || (s >= "A" && s <= "Z") || (s >= "0" && s <= "9") || s == "_"
                }
            guard ok else {
                throw GFEError.badInput(
                    "\(what): '\(text)' is not a field path; write field names separated by dots, "
                        + "e.g. 'encoder.beta' or 'budget.iterations'")
            }
        }
        components = parts
    }

    public init(_ components: [String]) { self.components = components }

    public var description: String { components.joined(separator: ".") }

    public static func < (a: ConfigPath, b: ConfigPath) -> Bool { a.description < b.description }

    /// Whether `self` equals `other` or lies inside it (`encoder.beta` is within `encoder`).
    public func isWithin(_ other: ConfigPath) -> Bool {
        components.count >= other.components.count
            && Array(components.prefix(other.components.count)) == other.components
    }

    /// The value at this path in `root`, or nil when a step is missing or not an object.
    public func value(in root: JSONValue) -> JSONValue? {
        var node = root
        for key in components {
            guard case .object(let o) = node, let next = o[key] else { return nil }
            node = next
        }
        return node
    }

    /// `root` with the value at this path replaced by `value`, creating missing objects on the way. Throws
    /// when a step exists but is not an object (`where` names the document for the message).
    public func setting(_ value: JSONValue, in root: JSONValue, where place: String) throws -> JSONValue {
        try Self.set(value, components[...], in: root, walked: [], place: place, full: self)
    }

    private static func set(
        _ value: JSONValue, _ rest: ArraySlice<String>, in node: JSONValue, walked: [String],
        place: String, full: ConfigPath
    ) throws -> JSONValue {
        guard let key = rest.first else { return value }
        guard case .object(var o) = node else {
            let at = walked.isEmpty ? "the configuration" : "'\(walked.joined(separator: "."))'"
            throw GFEError.badInput(
                "\(place): cannot set '\(full)': \(at) is \(node.kindDescription) (\(node.shortText)), "
                    + "not an object of fields")
        }
        let child = o[key] ?? .object(JSONObject())
        o[key] = try set(value, rest.dropFirst(), in: child, walked: walked + [key], place: place, full: full)
        return .object(o)
    }
}
