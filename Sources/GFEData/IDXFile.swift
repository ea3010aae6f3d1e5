import GFECore

/// What an IDX file must be: kind, number of items, and (when known) the SHA-256 of its uncompressed bytes.
public struct IDXExpectation: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// magic 2051 (0x00000803: unsigned bytes, 3 dimensions), header n, 28, 28.
        case images
        /// magic 2049 (0x00000801: unsigned bytes, 1 dimension), header n; every label in 0…9.
        case labels
    }
    public var kind: Kind
    public var count: Int
    /// Lowercase hex SHA-256 of the uncompressed file, or nil to skip the check.
    public var sha256: String?

    public init(kind: Kind, count: Int, sha256: String?) {
        self.kind = kind
        self.count = count
        self.sha256 = sha256
    }

    var magic: Int { kind == .images ? 2051 : 2049 }
    var headerSize: Int { kind == .images ? 16 : 8 }
    var itemSize: Int { kind == .images ? IDXFile.rows * IDXFile.cols : 1 }
    var itemName: String { kind == .images ? "images" : "labels" }
}

/// A validated IDX file (LeCun's format: big-endian header, then unsigned bytes), held uncompressed.
///
/// Images: item i is the 784 bytes of a 28×28 image, row by row. Labels: item i is one byte in 0…9.
public struct IDXFile: Sendable {
    public static let rows = 28
    public static let cols = 28

    public let path: String
    public let expectation: IDXExpectation
    /// SHA-256 of the uncompressed bytes, lowercase hex.
    public let sha256: String
    /// The whole uncompressed file, header included (items start at `headerSize`).
    let bytes: [UInt8]

    public var count: Int { expectation.count }
    public var headerSize: Int { expectation.headerSize }
    public var itemSize: Int { expectation.itemSize }

    /// The bytes of item `i` (an image's 784 pixels or a single label).
    public func item(_ i: Int) -> ArraySlice<UInt8> {
        precondition(i >= 0 && i < count, "IDXFile.item: index \(i) outside 0..<\(count)")
        let start = headerSize + i * itemSize
        return bytes[start..<(start + itemSize)]
    }

    /// Label `i` (labels files only).
    public func label(_ i: Int) -> UInt8 {
        precondition(expectation.kind == .labels && i >= 0 && i < count)
        return bytes[headerSize + i]
    }

    /// Reads, decompresses (if gzip) and validates the file at `path`: magic number, dimensions, item count,
    /// file length (neither truncated nor followed by extra bytes), label range, then SHA-256. Structural checks
    /// come first because they say more about what is wrong than a checksum does. `fix` is appended to every
    /// error message: how to get good data.
    public static func read(_ path: String, expecting e: IDXExpectation, fix: String = "") throws -> IDXFile {
        // Up to 1 MiB beyond the expected length is read, so that a little extra data is measured by the
        // structural check; far more (a wrong file, a gzip bomb) is refused while decompressing.
        let bytes = try FileContents.read(path, fix: fix, limit: e.headerSize + e.count * e.itemSize + (1 << 20))
        try validateStructure(bytes, path: path, expecting: e, fix: fix)
        let digest = Checksum.sha256(bytes)
        if let want = e.sha256, want.lowercased() != digest {
            throw DataError(
                .checksumMismatch,
                "data file \(path): SHA-256 of the uncompressed contents is \(digest), expected \(want.lowercased()) "
                    + "(the file is damaged or is not the official release).\(suffix(fix))")
        }
        return IDXFile(path: path, expectation: e, sha256: digest, bytes: bytes)
    }

    static func validateStructure(_ bytes: [UInt8], path: String, expecting e: IDXExpectation, fix: String) throws {
        let fix = suffix(fix)
        func word(_ i: Int) -> Int {
            Int(bytes[4 * i]) << 24 | Int(bytes[4 * i + 1]) << 16 | Int(bytes[4 * i + 2]) << 8 | Int(bytes[4 * i + 3])
        }
        guard bytes.count >= 4 else {
            throw DataError(
                .truncated,
                "data file \(path) is \(bytes.count) bytes long, too short for an IDX header: the file is truncated.\(fix)"
            )
        }
        let magic = word(0)
        guard magic == e.magic else {
            let other = e.kind == .images ? 2049 : 2051
            let hint =
                magic == other
                ? " (that is the magic number of an IDX \(e.kind == .images ? "labels" : "images") file: are the files swapped?)"
                : ""
            throw DataError(
                .badMagic,
                "data file \(path): magic number is \(magic) (0x\(hex8(magic))), expected \(e.magic) "
                    + "(0x\(hex8(e.magic)), IDX \(e.itemName))\(hint).\(fix)")
        }
        guard bytes.count >= e.headerSize else {
            throw DataError(
                .truncated,
                "data file \(path) is \(bytes.count) bytes long, shorter than its \(e.headerSize)-byte IDX header: "
                    + "the file is truncated.\(fix)")
        }
        let n = word(1)
        if e.kind == .images {
            let (r, c) = (word(2), word(3))
            guard r == rows && c == cols else {
                throw DataError(
                    .badDimensions,
                    "data file \(path): images are \(r)×\(c), expected \(rows)×\(cols).\(fix)")
            }
        }
        guard n == e.count else {
            throw DataError(
                .wrongCount,
                "data file \(path): header says \(grouped(n)) \(e.itemName), expected \(grouped(e.count)).\(fix)")
        }
        let expectedSize = e.headerSize + n * e.itemSize
        if bytes.count < expectedSize {
            throw DataError(
                .truncated,
                "data file \(path) is \(grouped(bytes.count)) bytes uncompressed, but its header (\(grouped(n)) "
                    + "\(e.itemName)) needs \(grouped(expectedSize)): the file is truncated.\(fix)")
        }
        if bytes.count > expectedSize {
            throw DataError(
                .trailingData,
                "data file \(path) is \(grouped(bytes.count)) bytes uncompressed, \(grouped(bytes.count - expectedSize)) "
                    + "more than its header (\(grouped(n)) \(e.itemName)) accounts for (\(grouped(expectedSize))): "
                    + "trailing garbage.\(fix)")
        }
        if e.kind == .labels {
            for i in 0..<n where bytes[e.headerSize + i] > 9 {
                throw DataError(
                    .badLabel,
                    "data file \(path): label \(bytes[e.headerSize + i]) at index \(i) is outside 0…9.\(fix)")
            }
        }
    }
}

private func hex8(_ v: Int) -> String {
    let s = String(UInt32(truncatingIfNeeded: v), radix: 16, uppercase: true)
    return String(repeating: "0", count: max(0, 8 - s.count)) + s
}
