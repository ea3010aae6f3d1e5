import CHDF5

/// The element type of an HDF5 dataset or attribute.
///
/// The store writes and reads `float32`, `float64`, `int64` and `uint8` (in the machine's byte order; HDF5
/// converts other byte orders on reading). Anything else found in a file written by another tool is
/// `other` with a description ("int32", "bool", "string", "compound", …), shown by listings.
public enum HDF5ElementType: Hashable, Sendable, CustomStringConvertible {
    case float32, float64, int64, uint8
    case other(String)

    public var description: String {
        switch self {
        case .float32: "float32"
        case .float64: "float64"
        case .int64: "int64"
        case .uint8: "uint8"
        case .other(let name): name
        }
    }

    /// Whether HDF5 can convert this type to any of the numeric types on reading.
    public var isNumeric: Bool {
        switch self {
        case .float32, .float64, .int64, .uint8: true
        case .other(let name): name.hasPrefix("int") || name.hasPrefix("uint") || name.hasPrefix("float")
        }
    }

    /// The HDF5 native type for a supported element type (nil for `other`). Call with the HDF5 lock held.
    var nativeTypeID: hid_t? {
        switch self {
        case .float32: gfe_H5T_NATIVE_FLOAT()
        case .float64: gfe_H5T_NATIVE_DOUBLE()
        case .int64: gfe_H5T_NATIVE_INT64()
        case .uint8: gfe_H5T_NATIVE_UINT8()
        case .other: nil
        }
    }

    /// Describes an HDF5 datatype. Call with the HDF5 lock held.
    init(describing type: hid_t) {
        let size = H5Tget_size(type)
        switch H5Tget_class(type) {
        case H5T_FLOAT:
            self = size == 4 ? .float32 : size == 8 ? .float64 : .other("float\(size * 8)")
        case H5T_INTEGER:
            let signed = H5Tget_sign(type) == H5T_SGN_2
            if signed && size == 8 {
                self = .int64
            } else if !signed && size == 1 {
                self = .uint8
            } else {
                self = .other("\(signed ? "int" : "uint")\(size * 8)")
            }
        case H5T_STRING:
            self = .other(H5Tis_variable_str(type) > 0 ? "string" : "string[\(size)]")
        case H5T_ENUM:
            self = .other(HDF5ElementType.isH5pyBool(type) ? "bool" : "enum")
        case H5T_COMPOUND: self = .other("compound")
        case H5T_ARRAY: self = .other("array")
        case H5T_VLEN: self = .other("vlen")
        case H5T_OPAQUE: self = .other("opaque")
        case H5T_REFERENCE: self = .other("reference")
        case H5T_BITFIELD: self = .other("bitfield")
        case H5T_TIME: self = .other("time")
        default: self = .other("unknown")
        }
    }

    /// h5py stores `bool` as an enum over int8 with members FALSE = 0 and TRUE = 1.
    static func isH5pyBool(_ type: hid_t) -> Bool {
        guard H5Tget_class(type) == H5T_ENUM, H5Tget_nmembers(type) == 2, H5Tget_size(type) == 1 else { return false }
        func memberName(_ index: UInt32) -> String? {
            guard let name = H5Tget_member_name(type, index) else { return nil }
            defer { H5free_memory(name) }
            return String(cString: name)
        }
        return memberName(0) == "FALSE" && memberName(1) == "TRUE"
    }
}

/// A Swift type the store reads and writes as HDF5 elements: Float (float32), Double (float64),
/// Int64 (int64), UInt8 (uint8).
public protocol HDF5Element: Equatable, Sendable {
    static var hdf5ElementType: HDF5ElementType { get }
}

extension Float: HDF5Element { public static var hdf5ElementType: HDF5ElementType { .float32 } }
extension Double: HDF5Element { public static var hdf5ElementType: HDF5ElementType { .float64 } }
extension Int64: HDF5Element { public static var hdf5ElementType: HDF5ElementType { .int64 } }
extension UInt8: HDF5Element { public static var hdf5ElementType: HDF5ElementType { .uint8 } }

/// A dataset's values with its shape: row-major (C order, as numpy), `values.count` = product of `shape`.
/// A scalar dataset has shape [] and one value.
public struct HDF5Array<Element: HDF5Element>: Equatable, Sendable {
    public let shape: [Int]
    public let values: [Element]

    public init(shape: [Int], values: [Element]) {
        precondition(
            shape.allSatisfy { $0 >= 0 } && shape.reduce(1, *) == values.count,
            "HDF5Array: \(values.count) values for shape \(shape)")
        self.shape = shape
        self.values = values
    }

    public var count: Int { values.count }
}
