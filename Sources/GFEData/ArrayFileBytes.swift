import GFECore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// The byte-level helpers the NumPy and IDX readers share.

/// Files (uncompressed) and archive members over 8 GiB are refused.
let arrayFileLimit = 8 << 30

/// The bytes of the data file at `path` (inflated if it is gzip): a missing path, a folder and a file over
/// `arrayFileLimit` are clear errors before anything is read.
func readArrayFile(_ path: String) throws -> [UInt8] {
    var info = stat()
    if stat(path, &info) == 0 {
        if (info.st_mode & S_IFMT) == S_IFDIR {
            throw DataError(.unreadableFile, "\(path) is a folder, not a data file.")
        }
        if Int(info.st_size) > arrayFileLimit {
            throw DataError(
                .unsupportedFormat,
                "data file \(path) is \(grouped(Int(info.st_size))) bytes; files over 8 GiB "
                    + "(\(grouped(arrayFileLimit)) bytes) are refused.")
        }
    } else if errno == ENOENT {
        throw DataError(.missingFile, "data file \(path) does not exist.")
    }
    return try FileContents.read(path, limit: arrayFileLimit)  // other failures: it says why
}

extension NumericArray.ElementType {
    /// Bytes per element in a file.
    var byteCount: Int {
        switch self {
        case .uint8, .int8, .bool: return 1
        case .uint16, .int16: return 2
        case .uint32, .int32, .float32: return 4
        case .uint64, .int64, .float64: return 8
        }
    }
}

/// `count` elements of `type` stored from byte `start` of `bytes`, as Doubles. A 64-bit integer beyond ±2⁵³ is
/// an error (a Double cannot hold it exactly); a bool byte other than 0 is true (1), as in NumPy.
func decodeElements(
    _ bytes: [UInt8], from start: Int, count: Int, as type: NumericArray.ElementType, bigEndian: Bool,
    label: String
) throws -> [Double] {
    precondition(start >= 0 && count * type.byteCount <= bytes.count - start)
    return try bytes.withUnsafeBytes { raw throws -> [Double] in
        func load<T: FixedWidthInteger & BitwiseCopyable>(_ i: Int, _: T.Type) -> T {
            let v = raw.loadUnaligned(fromByteOffset: start + i * MemoryLayout<T>.size, as: T.self)
            return bigEndian ? T(bigEndian: v) : T(littleEndian: v)
        }
        switch type {
        case .bool: return (0..<count).map { raw[start + $0] == 0 ? 0 : 1 }
        case .uint8: return (0..<count).map { Double(raw[start + $0]) }
        case .int8: return (0..<count).map { Double(Int8(bitPattern: raw[start + $0])) }
        case .uint16: return (0..<count).map { Double(load($0, UInt16.self)) }
        case .int16: return (0..<count).map { Double(load($0, Int16.self)) }
        case .uint32: return (0..<count).map { Double(load($0, UInt32.self)) }
        case .int32: return (0..<count).map { Double(load($0, Int32.self)) }
        case .float32: return (0..<count).map { Double(Float(bitPattern: load($0, UInt32.self))) }
        case .float64: return (0..<count).map { Double(bitPattern: load($0, UInt64.self)) }
        case .uint64, .int64:
            var out: [Double] = []
            out.reserveCapacity(count)
            for i in 0..<count {
                let bits = load(i, UInt64.self)
                let signed = type == .int64
                let magnitude = signed ? Int64(bitPattern: bits).magnitude : bits
                guard magnitude <= 1 << 53 else {
                    let value = signed ? String(Int64(bitPattern: bits)) : String(bits)
                    throw DataError(
                        .unsupportedFormat,
                        "\(label): element \(grouped(i)) is \(value), beyond ±2^53 (9,007,199,254,740,992), the "
                            + "largest \(type.rawValue) values a Double holds exactly; convert the array to float64 "
                            + "or to a smaller range.")
                }
                out.append(signed ? Double(Int64(bitPattern: bits)) : Double(bits))
            }
            return out
        }
    }
}

/// `v` in hexadecimal, zero-padded to `digits`.
func hexDigits<T: BinaryInteger>(_ v: T, _ digits: Int) -> String {
    let s = String(v, radix: 16)
    return String(repeating: "0", count: max(0, digits - s.count)) + s
}

/// The data after a header must be exactly as long as the header says: `needed` bytes (nil: more than an Int
/// holds), as `described` ("its shape (2, 3) of float32") states it.
func checkDataLength(_ label: String, available: Int, needed: Int?, by described: String) throws {
    guard let needed, available >= needed else {
        throw DataError(
            .truncated,
            "\(label) holds \(grouped(available)) bytes of data, but \(described) needs "
                + (needed.map(grouped) ?? "more than the largest integer") + ": truncated.")
    }
    if available > needed {
        throw DataError(
            .trailingData,
            "\(label) holds \(grouped(available)) bytes of data, \(grouped(available - needed)) more than \(described) "
                + "needs (\(grouped(needed))): trailing data.")
    }
}
