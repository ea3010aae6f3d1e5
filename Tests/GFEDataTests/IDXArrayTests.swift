import Testing

@testable import GFEData

/// IDX files of every element type, built by hand (big-endian), plain and gzip-compressed, and their errors.
@Suite struct IDXArrayTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var code: UInt8
        var type: NumericArray.ElementType
        var values: [Double]
        /// One value's big-endian bytes.
        var encode: @Sendable (Double) -> [UInt8]
        var testDescription: String { type.rawValue }
    }

    static func bigEndian<T: FixedWidthInteger>(_ v: T) -> [UInt8] {
        (0..<(T.bitWidth / 8)).reversed().map { UInt8(truncatingIfNeeded: v >> ($0 * 8)) }
    }

    /// Twelve values of each type, its extremes among them.
    static let cases: [Case] = [
        Case(code: 0x08, type: .uint8, values: [0, 1, 2, 127, 128, 200, 255, 3, 4, 5, 6, 7]) { [UInt8($0)] },
        Case(code: 0x09, type: .int8, values: [-128, -1, 0, 1, 127, -5, 6, -7, 8, -9, 10, -11]) {
            [UInt8(bitPattern: Int8($0))]
        },
        Case(code: 0x0B, type: .int16, values: [-32_768, 32_767, -1, 0, 1, 258, -258, 3, 4, 5, 6, 7]) {
            bigEndian(Int16($0))
        },
        Case(
            code: 0x0C, type: .int32,
            values: [-2_147_483_648, 2_147_483_647, -1, 0, 1, 16_909_060, -16_909_060, 3, 4, 5, 6, 7]
        ) { bigEndian(Int32($0)) },
        Case(
            code: 0x0D, type: .float32,
            values: [
                Double(Float(0.1)), -2.5, 0, -0.0, Double(Float(1e-3)), Double(Float.greatestFiniteMagnitude), 3, 4, 5,
                6, 7, 8
            ]
        ) { bigEndian(Float($0).bitPattern) },
        Case(code: 0x0E, type: .float64, values: [0.1, -2.5, 0, 1e300, .leastNonzeroMagnitude, -7.25, 3, 4, 5, 6, 7, 8])
        {
            bigEndian($0.bitPattern)
        }
    ]

    /// An IDX file: magic 00 00 `code` rank, the sizes, then `payload`.
    static func idx(_ code: UInt8, _ shape: [Int], _ payload: [UInt8]) -> [UInt8] {
        [0, 0, code, UInt8(shape.count)] + shape.flatMap(TestFiles.bigEndian) + payload
    }

    @Test(arguments: cases) func readsEveryType(_ c: Case) throws {
        let dir = try TestFiles.temporaryFolder()
        defer { TestFiles.remove(dir) }
        let payload = c.values.flatMap(c.encode)
        for shape in [[12], [2, 3, 2]] {
            try TestFiles.write(Self.idx(c.code, shape, payload), to: dir + "/f")
            try TestFiles.gzip(dir + "/f", to: dir + "/f.gz")
            for path in [dir + "/f", dir + "/f.gz"] {
                let array = try IDXArray.read(path)
                #expect(array == NumericArray(shape: shape, elementType: c.type, values: c.values), "\(path)")
                #expect(array.values.map(\.sign) == c.values.map(\.sign))  // -0.0 stays negative
            }
        }
    }

    @Test func mnistLayoutAndEmptyDimensions() throws {
        let dir = try TestFiles.temporaryFolder()
        defer { TestFiles.remove(dir) }
        let pixels = (0..<(2 * 784)).map { UInt8($0 % 251) }
        try TestFiles.write(TestFiles.idxImages(count: 2, pixels: pixels), to: dir + "/images")
        let images = try IDXArray.read(dir + "/images")
        #expect(images.shape == [2, 28, 28] && images.elementType == .uint8)
        #expect(images.values == pixels.map(Double.init))
        try TestFiles.write(Self.idx(0x0D, [0, 28, 28], []), to: dir + "/empty")
        #expect(
            try IDXArray.read(dir + "/empty") == NumericArray(shape: [0, 28, 28], elementType: .float32, values: []))
    }

    func expectError(
        _ bytes: [UInt8], kind: DataError.Kind, contains parts: [String],
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let dir = try TestFiles.temporaryFolder()
        defer { TestFiles.remove(dir) }
        try TestFiles.write(bytes, to: dir + "/f")
        let error = try TestFiles.dataError({ _ = try IDXArray.read(dir + "/f") }, sourceLocation: sourceLocation)
        #expect(error.kind == kind, "\(error.message)", sourceLocation: sourceLocation)
        #expect(error.message.contains("data file \(dir)/f"), "\(error.message)", sourceLocation: sourceLocation)
        for part in parts {
            #expect(
                error.message.contains(part), "missing \"\(part)\" in: \(error.message)", sourceLocation: sourceLocation
            )
        }
        #expect(error.exitCode == 2, sourceLocation: sourceLocation)
    }

    @Test func errors() throws {
        let int16 = Self.idx(0x0B, [2, 3], (0..<12).map(UInt8.init))
        try expectError(
            [1] + int16.dropFirst(), kind: .badMagic,
            contains: ["starts with the bytes 01 00 0b 02", "not an IDX magic"])
        try expectError(
            Self.idx(0x0A, [3], [1, 2, 3]), kind: .badMagic,
            contains: ["type code 0x0A is not one of 0x08 (uint8)", "0x0E (float64)"])
        try expectError([0, 0, 8, 0], kind: .badDimensions, contains: ["declares 0 dimensions"])
        try expectError([0, 0], kind: .truncated, contains: ["2 bytes long, too short for an IDX header"])
        try expectError(
            Array(int16[0..<9]), kind: .truncated, contains: ["9 bytes long, shorter than its IDX header (12 bytes"])
        try expectError(
            Array(int16.dropLast()), kind: .truncated,
            contains: ["holds 11 bytes of data", "(2×3 int16) needs 12", "truncated"])
        try expectError(
            int16 + [9], kind: .trailingData, contains: ["holds 13 bytes of data, 1 more than", "trailing data"])
        // Sizes whose product no file could hold.
        try expectError(
            Self.idx(0x0E, [0xFFFF_FFFF, 0xFFFF_FFFF, 0xFFFF_FFFF], []), kind: .truncated,
            contains: ["needs more than the largest integer"])
    }

    @Test func missingFile() throws {
        let dir = try TestFiles.temporaryFolder()
        defer { TestFiles.remove(dir) }
        let error = try TestFiles.dataError { _ = try IDXArray.read(dir + "/missing-idx3-ubyte.gz") }
        #expect(
            error.kind == .missingFile && error.message.contains(dir + "/missing-idx3-ubyte.gz"), "\(error.message)")
    }
}
