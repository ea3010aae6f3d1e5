import GFECore

/// Reads NumPy's files: `.npy` (one array, `np.save`) and `.npz` (a zip archive of `<name>.npy` members,
/// `np.savez` stored or `np.savez_compressed` deflated).
///
/// The kind is told by the first bytes (`\x93NUMPY`, or a zip signature), never by the name. Supported element
/// types: bool, uint8…uint64, int8…int64, float32, float64, either byte order; C or Fortran order (returned in C
/// order). The whole file is read into memory; files and members over 8 GiB are refused.
public enum NumPyFile {
    /// The array in the file at `path`. `key` names the array of an `.npz` (without `.npy`); it may be nil
    /// when the archive holds exactly one array, and must be nil for a `.npy`.
    public static func read(_ path: String, array key: String?) throws -> NumericArray {
        let bytes = try readArrayFile(path)
        let label = "data file \(path)"
        guard try isArchive(bytes, label: label) else {
            if let key {
                throw DataError(
                    .badArgument,
                    "\(label) is a .npy file, which holds one unnamed array: no array name can be given (got "
                        + "\"\(key)\"); names select arrays in .npz archives only.")
            }
            return try decodeNPY(bytes, label: label)
        }
        let members = try zipDirectory(bytes, label: label).filter { $0.name.hasSuffix(".npy") }
        let names = members.map { String($0.name.dropLast(4)) }
        let index: Int
        if let key {
            // np.load's NpzFile accepts the member name with its .npy too.
            let bare = key.hasSuffix(".npy") && !names.contains(key) ? String(key.dropLast(4)) : key
            guard let found = names.firstIndex(of: bare) else {
                throw DataError(
                    .badArgument,
                    "\(label) has no array \"\(key)\"\(didYouMean(key, among: names)); "
                        + (names.isEmpty ? "it holds no arrays." : "its arrays are: \(names.joined(separator: ", ")).")
                )
            }
            index = found
        } else {
            guard names.count == 1 else {
                throw DataError(
                    .badArgument,
                    names.isEmpty
                        ? "\(label) is a .npz archive holding no arrays (no .npy members)."
                        : "\(label) is a .npz archive holding \(names.count) arrays (\(names.joined(separator: ", "))): "
                            + "name the one to read.")
            }
            index = 0
        }
        let memberLabel = "array \"\(names[index])\" in \(label)"
        return try decodeNPY(memberContents(members[index], of: bytes, label: memberLabel), label: memberLabel)
    }

    /// The names of the arrays in the `.npz` archive at `path` (member names without `.npy`), in archive order;
    /// empty for a `.npy` file, whose one array has no name.
    public static func arrayNames(_ path: String) throws -> [String] {
        let bytes = try readArrayFile(path)
        let label = "data file \(path)"
        guard try isArchive(bytes, label: label) else { return [] }
        return try zipDirectory(bytes, label: label).map(\.name).filter { $0.hasSuffix(".npy") }.map {
            String($0.dropLast(4))
        }
    }

    static let npyMagic: [UInt8] = [0x93] + Array("NUMPY".utf8)

    /// True for a zip archive (a local header, or the end record alone of an empty archive), false for .npy.
    static func isArchive(_ b: [UInt8], label: String) throws -> Bool {
        if b.starts(with: npyMagic) { return false }
        if b.starts(with: [0x50, 0x4b, 0x03, 0x04]) || b.starts(with: [0x50, 0x4b, 0x05, 0x06]) { return true }
        let first = b.prefix(6).map { hexDigits($0, 2) }.joined(separator: " ")
        throw DataError(
            .badMagic,
            "\(label) starts with the bytes \(first.isEmpty ? "(none: it is empty)" : first), which is neither "
                + "a NumPy .npy file (93 4e 55 4d 50 59, \"\\x93NUMPY\") nor a .npz zip archive (50 4b 03 04, \"PK\").")
    }

    /// The `count`-byte little-endian unsigned integer at `offset` (callers check the bounds); values beyond
    /// Int.max saturate, and are then refused as sizes or offsets outside the file.
    static func littleEndian(_ b: [UInt8], _ offset: Int, _ count: Int) -> Int {
        var v: UInt64 = 0
        for k in (0..<count).reversed() { v = v << 8 | UInt64(b[offset + k]) }
        return Int(exactly: v) ?? .max
    }

    // MARK: .npy

    /// Decodes a whole `.npy` file; `label` starts every error message ("data file …", "array … in data file …").
    static func decodeNPY(_ b: [UInt8], label: String) throws -> NumericArray {
        guard b.starts(with: npyMagic) else {
            throw DataError(.badMagic, "\(label) does not start with the .npy magic bytes \"\\x93NUMPY\".")
        }
        guard b.count >= 10 else {
            throw DataError(.truncated, "\(label) is \(b.count) bytes long, too short for a .npy header: truncated.")
        }
        // Version 1.0 has a 2-byte header length, 2.0 and 3.0 a 4-byte one; 3.0 allows UTF-8 in the header.
        let lengthSize: Int
        switch (b[6], b[7]) {
        case (1, 0): lengthSize = 2
        case (2, 0), (3, 0): lengthSize = 4
        default:
            throw DataError(
                .unsupportedFormat, "\(label) is .npy format version \(b[6]).\(b[7]); supported: 1.0, 2.0, 3.0.")
        }
        let headerStart = 8 + lengthSize
        let dataStart = headerStart + littleEndian(b, 8, lengthSize)
        guard b.count >= dataStart else {
            throw DataError(
                .truncated,
                "\(label) is \(grouped(b.count)) bytes long, but its .npy header runs to byte "
                    + "\(grouped(dataStart)): truncated.")
        }
        let headerBytes = b[headerStart..<dataStart]
        let text =
            b[6] == 3 ? String(decoding: headerBytes, as: UTF8.self) : String(headerBytes.map { Character(.init($0)) })
        let header = try NPYHeader(text, label: label)
        let type = header.type
        let (needed, overflow) = header.count.multipliedReportingOverflow(by: type.byteCount)
        let available = b.count - dataStart
        let shape = "shape (\(header.shape.map(String.init).joined(separator: ", ")))"
        try checkDataLength(
            label, available: available, needed: overflow ? nil : needed, by: "its \(shape) of \(type.rawValue)")
        let values = try decodeElements(
            b, from: dataStart, count: header.count, as: type, bigEndian: header.bigEndian, label: label)
        return NumericArray(
            shape: header.shape, elementType: type,
            values: header.fortranOrder ? cOrder(fromFortran: values, shape: header.shape) : values)
    }

    /// The values of an array stored in Fortran (column-major) order, rearranged to C (row-major) order.
    static func cOrder(fromFortran values: [Double], shape: [Int]) -> [Double] {
        guard shape.count > 1, !values.isEmpty else { return values }
        // In Fortran order the first index runs fastest: index k steps by the product of the dimensions before k.
        var strides = [Int](repeating: 1, count: shape.count)
        for k in 1..<shape.count { strides[k] = strides[k - 1] * shape[k - 1] }
        var index = [Int](repeating: 0, count: shape.count)
        var source = 0
        var out: [Double] = []
        out.reserveCapacity(values.count)
        for _ in 0..<values.count {
            out.append(values[source])
            var k = shape.count - 1  // an odometer over C order: the last index runs fastest
            while k >= 0 {
                index[k] += 1
                source += strides[k]
                if index[k] < shape[k] { break }
                source -= strides[k] * shape[k]
                index[k] = 0
                k -= 1
            }
        }
        return out
    }
}
