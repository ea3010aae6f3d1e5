/// The value of an HDF5 attribute: a scalar (Int64, Double, Bool, String) or a one-dimensional numeric array.
///
/// Strings are UTF-8. Bool is stored as h5py stores it (an int8 enum FALSE/TRUE), so Python reads a numpy
/// bool. Reading converts other tools' scalars: any integer → `int64`, any float → `double`.
/// `unsupported` only comes from reading attributes this store does not model (other shapes or types);
/// it carries a description and cannot be written.
public enum HDF5AttributeValue: Equatable, Sendable, CustomStringConvertible {
    case int64(Int64)
    case double(Double)
    case bool(Bool)
    case string(String)
    case int64Array([Int64])
    case doubleArray([Double])
    case floatArray([Float])
    case uint8Array([UInt8])
    case unsupported(String)

    /// The value as Int64, if it is an integer scalar.
    public var int64Value: Int64? { if case .int64(let v) = self { v } else { nil } }
    /// The value as Double, if it is a float or integer scalar.
    public var doubleValue: Double? {
        switch self {
        case .double(let v): v
        case .int64(let v): Double(v)
        default: nil
        }
    }
    /// The value as String, if it is a string.
    public var stringValue: String? { if case .string(let v) = self { v } else { nil } }
    /// The value as Bool, if it is a bool.
    public var boolValue: Bool? { if case .bool(let v) = self { v } else { nil } }
    /// The values as [Double], for any numeric array (or a numeric scalar, as one value).
    public var doubleArrayValue: [Double]? {
        switch self {
        case .doubleArray(let v): v
        case .floatArray(let v): v.map(Double.init)
        case .int64Array(let v): v.map(Double.init)
        case .uint8Array(let v): v.map(Double.init)
        case .double, .int64: doubleValue.map { [$0] }
        default: nil
        }
    }
    /// The values as [Int64], for integer arrays.
    public var int64ArrayValue: [Int64]? {
        switch self {
        case .int64Array(let v): v
        case .uint8Array(let v): v.map(Int64.init)
        default: nil
        }
    }

    /// The kind of value, for messages: "int64", "float64", "bool", "string", "float32 array", …
    public var typeDescription: String {
        switch self {
        case .int64: "int64"
        case .double: "float64"
        case .bool: "bool"
        case .string: "string"
        case .int64Array: "int64 array"
        case .doubleArray: "float64 array"
        case .floatArray: "float32 array"
        case .uint8Array: "uint8 array"
        case .unsupported(let what): what
        }
    }

    /// The value as printed by listings: numbers in Swift's shortest round-trip form, strings quoted.
    public var description: String {
        func list<T>(_ values: [T]) -> String { "[" + values.map { "\($0)" }.joined(separator: ", ") + "]" }
        switch self {
        case .int64(let v): return "\(v)"
        case .double(let v): return "\(v)"
        case .bool(let v): return v ? "true" : "false"
        case .string(let v): return quoted(v)
        case .int64Array(let v): return list(v)
        case .doubleArray(let v): return list(v)
        case .floatArray(let v): return list(v)
        case .uint8Array(let v): return list(v)
        case .unsupported(let what): return "<\(what)>"
        }
    }
}

/// A string in double quotes with quotes, backslashes and control characters escaped, on one line.
func quoted(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if scalar.value < 0x20 {
                out += "\\u{\(String(scalar.value, radix: 16))}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return out + "\""
}

/// One attribute: its name and value.
public struct HDF5Attribute: Equatable, Sendable {
    public let name: String
    public let value: HDF5AttributeValue
    public init(name: String, value: HDF5AttributeValue) {
        self.name = name
        self.value = value
    }
}

/// How a string attribute is stored. Both read back as `.string`.
public enum HDF5StringStorage: Sendable {
    /// Variable-length UTF-8 (what h5py writes for a Python str).
    case variableLength
    /// Fixed-length UTF-8, exactly as many bytes as the text, null-padded (what numpy `S`/h5py fixed strings are).
    case fixedLength
}
