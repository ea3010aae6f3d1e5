import GFECore
import GFETraining

/// Reads one object of an experiment spec strictly: unknown keys are errors with a did-you-mean
/// suggestion, and every wrong type or value names the file, the JSON location (`$.sweep.zip[0]`), the
/// value found and what is allowed. All errors are `GFEError.badInput` (exit 2).
struct SpecReader {
    let object: JSONObject
    /// JSONPath location of this object ("$", "$.table").
    let location: String
    /// The spec file, first in every message.
    let source: String

    init(_ value: JSONValue, at location: String, source: String, allowed: [String]) throws {
        self.location = location
        self.source = source
        guard case .object(let o) = value else {
            throw GFEError.badInput(
                "\(source): \(location) is \(value.kindDescription) (\(value.canonicalText.clipped)); "
                    + "expected an object with the fields " + allowed.map { "\"\($0)\"" }.joined(separator: ", "))
        }
        object = o
        if let unknown = o.keys.first(where: { !allowed.contains($0) }) {
            throw GFEError.badInput(
                "\(source): \(JSONPath.child(location, unknown)): unknown field \"\(unknown)\""
                    + "\(didYouMean(unknown, among: allowed)); the fields allowed in \(location) are "
                    + allowed.map { "\"\($0)\"" }.joined(separator: ", "))
        }
    }

    func at(_ key: String) -> String { JSONPath.child(location, key) }

    /// A `badInput` error about the value at `location`.
    func problem(_ location: String, _ text: String) -> GFEError {
        .badInput("\(source): \(location): \(text)")
    }

    func wrongType(_ location: String, _ value: JSONValue, _ expected: String) -> GFEError {
        problem(location, "found \(value.kindDescription) (\(value.canonicalText.clipped)); expected \(expected)")
    }

    subscript(key: String) -> JSONValue? {
        guard let v = object[key] else { return nil }
        if case .null = v { return nil }
        return v
    }

    func string(_ key: String) throws -> String? {
        guard let v = self[key] else { return nil }
        guard case .string(let s) = v else { throw wrongType(at(key), v, "a string") }
        return s
    }

    func double(_ key: String, _ rule: String = "a number", _ ok: (Double) -> Bool = { $0.isFinite }) throws -> Double?
    {
        guard let v = self[key] else { return nil }
        guard let d = v.doubleValue else { throw wrongType(at(key), v, rule) }
        guard ok(d) else { throw problem(at(key), "\(v.canonicalText) is out of range; expected \(rule)") }
        return d
    }

    func array(_ key: String, _ expected: String) throws -> [JSONValue]? {
        guard let v = self[key] else { return nil }
        guard case .array(let a) = v else { throw wrongType(at(key), v, expected) }
        return a
    }

    func objectValue(_ key: String, _ expected: String) throws -> JSONObject? {
        guard let v = self[key] else { return nil }
        guard case .object(let o) = v else { throw wrongType(at(key), v, expected) }
        return o
    }

    /// One of `allowed` names, with a did-you-mean suggestion.
    func choice(_ key: String, _ allowed: [String]) throws -> String? {
        let list = allowed.map { "\"\($0)\"" }.joined(separator: ", ")
        guard let v = self[key] else { return nil }
        guard case .string(let s) = v else { throw wrongType(at(key), v, "one of \(list)") }
        guard allowed.contains(s) else {
            throw problem(at(key), "\"\(s)\" is not known\(didYouMean(s, among: allowed)); expected one of \(list)")
        }
        return s
    }
}

extension String {
    /// At most 60 characters, with "…" when cut: values quoted in messages stay one readable line.
    var clipped: String { count <= 60 ? self : String(prefix(57)) + "…" }
}
