import GFECore

/// Reads any IDX file (LeCun's format, as MNIST uses) into a `NumericArray`, plain or gzip-compressed.
///
/// Layout, all big-endian: two zero bytes, a type code, the number of dimensions n ≥ 1, n UInt32 sizes, then
/// the elements in C order. `IDXFile` reads MNIST's two kinds with their checks; this reads every kind.
public enum IDXArray {
    static let types: [UInt8: NumericArray.ElementType] = [
        0x08: .uint8, 0x09: .int8, 0x0B: .int16, 0x0C: .int32, 0x0D: .float32, 0x0E: .float64
    ]
    static let allowed = "0x08 (uint8), 0x09 (int8), 0x0B (int16), 0x0C (int32), 0x0D (float32), 0x0E (float64)"

    /// The array in the IDX file at `path`. Dimensions of size zero are allowed (an empty array).
    public static func read(_ path: String) throws -> NumericArray {
        let b = try readArrayFile(path)
        let label = "data file \(path)"
        guard b.count >= 4 else {
            throw DataError(
                .truncated, "\(label) is \(b.count) bytes long, too short for an IDX header (4 bytes): truncated.")
        }
        let magic = b[0..<4].map { hexDigits($0, 2) }
        guard b[0] == 0 && b[1] == 0 else {
            throw DataError(
                .badMagic,
                "\(label) starts with the bytes \(magic.joined(separator: " ")), not an IDX magic number (00 00, "
                    + "then a type code and the number of dimensions).")
        }
        guard let type = types[b[2]] else {
            throw DataError(
                .badMagic, "\(label): IDX type code 0x\(magic[2].uppercased()) is not one of \(allowed).")
        }
        let rank = Int(b[3])
        guard rank >= 1 else {
            throw DataError(.badDimensions, "\(label): the IDX header declares 0 dimensions; at least 1 is needed.")
        }
        let dataStart = 4 + 4 * rank
        guard b.count >= dataStart else {
            throw DataError(
                .truncated,
                "\(label) is \(b.count) bytes long, shorter than its IDX header (\(dataStart) bytes for \(rank) "
                    + "dimensions): truncated.")
        }
        let shape = (0..<rank).map { k in (0..<4).reduce(0) { $0 << 8 | Int(b[4 + 4 * k + $1]) } }
        // Up to 255 sizes below 2³² each: the product may overflow, which no file could hold.
        var needed = type.byteCount
        var overflow = false
        for n in shape where !overflow { (needed, overflow) = needed.multipliedReportingOverflow(by: n) }
        let available = b.count - dataStart
        let dims = shape.map(String.init).joined(separator: "×")
        try checkDataLength(
            label, available: available, needed: overflow ? nil : needed, by: "its header (\(dims) \(type.rawValue))")
        let count = needed / type.byteCount
        let values = try decodeElements(b, from: dataStart, count: count, as: type, bigEndian: true, label: label)
        return NumericArray(shape: shape, elementType: type, values: values)
    }
}
