import Foundation
import Testing

@testable import GFEData

/// `.npy` and `.npz` files written by real numpy (fixtures below, embedded as base64), hand-made headers for the
/// parser's corners, and damaged copies for every error. numpy is not needed to run these tests.
@Suite struct NumPyFileTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var fixture: String
        var base64: String
        var expected: NumericArray
        var testDescription: String { fixture }

        init(_ fixture: String, _ base64: String, _ shape: [Int], _ type: NumericArray.ElementType, _ values: [Double])
        {
            self.fixture = fixture
            self.base64 = base64
            expected = NumericArray(shape: shape, elementType: type, values: values)
        }
    }

    typealias F = NumPyFixtures

    static let cases: [Case] = [
        Case(
            "float32Matrix", F.float32Matrix, [2, 3], .float32,
            [Double(Float(0.1)), -2.5, Double(Float(1e-3)), Double(Float(3.0e38)), -0.0, 7]),
        Case("float64Matrix", F.float64Matrix, [2, 2], .float64, [1.5, -2.25, 1e300, .leastNonzeroMagnitude]),
        Case("uint8", F.uint8, [5], .uint8, [0, 1, 127, 128, 255]),
        Case("int8", F.int8, [4], .int8, [-128, -1, 0, 127]),
        Case("bool", F.bool, [4], .bool, [1, 0, 1, 1]),
        Case("uint16", F.uint16, [3], .uint16, [0, 65_535, 258]),
        Case("int16", F.int16, [3], .int16, [-32_768, 32_767, -2]),
        Case("uint32", F.uint32, [3], .uint32, [0, 4_294_967_295, 16_909_060]),
        Case("int32", F.int32, [3], .int32, [-2_147_483_648, 2_147_483_647, -5]),
        Case("uint64", F.uint64, [3], .uint64, [0, 9_007_199_254_740_992, 12_345_678_901_234]),
        Case("int64", F.int64, [3], .int64, [-9_007_199_254_740_992, 9_007_199_254_740_992, -1]),
        Case("bigInt32Matrix", F.bigInt32Matrix, [2, 2], .int32, [1, -2, 65_536, -65_536]),
        Case("bigFloat64", F.bigFloat64, [2], .float64, [1.5, -0.1]),
        Case("bigUInt16", F.bigUInt16, [2], .uint16, [1, 258]),
        Case("fortranInt16Cube", F.fortranInt16Cube, [2, 3, 4], .int16, (0..<24).map(Double.init)),
        Case("fortranFloat64Matrix", F.fortranFloat64Matrix, [3, 2], .float64, [1, 2, 3, 4, 5, 6]),
        Case("scalar", F.scalar, [], .float64, [3.5]),
        Case("emptyRows", F.emptyRows, [0, 3], .float32, []),
        Case("version2", F.version2, [4], .uint16, [0, 1, 2, 3]),
        Case("version3", F.version3, [3], .int32, [0, 1, 2])
    ]

    static func bytes(_ base64: String) -> [UInt8] {
        [UInt8](Data(base64Encoded: base64, options: .ignoreUnknownCharacters)!)
    }

    /// Writes `bytes` as `name` into `dir`; returns the path.
    @discardableResult
    static func write(_ bytes: [UInt8], _ dir: String, _ name: String) throws -> String {
        try TestFiles.write(bytes, to: dir + "/" + name)
        return dir + "/" + name
    }

    /// A version-1.0 `.npy` file with `header` (padded as numpy pads it) and `data`.
    static func npy(_ header: String, _ data: [UInt8], version: UInt8 = 1) -> [UInt8] {
        var h = Array(header.utf8)
        h += [UInt8](repeating: 0x20, count: 63 - (10 + h.count) % 64) + [0x0a]
        return [0x93] + Array("NUMPY".utf8) + [version, 0, UInt8(h.count & 0xff), UInt8(h.count >> 8)] + h + data
    }

    /// The error reading `bytes` (written as `name`) with `key` must throw: its kind, and a message naming the
    /// file and containing `parts`.
    static func expectError(
        _ bytes: [UInt8], name: String = "f.npy", key: String? = nil, kind: DataError.Kind, contains parts: [String],
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let dir = try TestFiles.temporaryFolder()
        defer { TestFiles.remove(dir) }
        let path = try write(bytes, dir, name)
        let error = try TestFiles.dataError(
            { _ = try NumPyFile.read(path, array: key) }, sourceLocation: sourceLocation)
        #expect(error.kind == kind, "\(error.message)", sourceLocation: sourceLocation)
        #expect(error.message.contains(path), "\(error.message)", sourceLocation: sourceLocation)
        for part in parts {
            #expect(
                error.message.contains(part), "missing \"\(part)\" in: \(error.message)", sourceLocation: sourceLocation
            )
        }
        #expect(error.exitCode == 2, sourceLocation: sourceLocation)
    }

    // MARK: Reading

    @Test(arguments: cases) func readsNumPyArrays(_ c: Case) throws {
        let dir = try TestFiles.temporaryFolder()
        defer { TestFiles.remove(dir) }
        let path = try Self.write(Self.bytes(c.base64), dir, "a.npy")
        let array = try NumPyFile.read(path, array: nil)
        #expect(array == c.expected)
        #expect(array.values.map(\.sign) == c.expected.values.map(\.sign))  // -0.0 stays negative
        #expect(try NumPyFile.arrayNames(path) == [])
    }

    /// The kind of file is told by its first bytes: any name works, and a gzip-compressed .npy is inflated.
    @Test func nameDoesNotMatterAndGzipIsInflated() throws {
        let dir = try TestFiles.temporaryFolder()
        defer { TestFiles.remove(dir) }
        let npyPath = try Self.write(Self.bytes(F.int16), dir, "data.npz")
        #expect(try NumPyFile.read(npyPath, array: nil).values == [-32_768, 32_767, -2])
        try TestFiles.gzip(npyPath, to: dir + "/data.npy.gz")
        #expect(try NumPyFile.read(dir + "/data.npy.gz", array: nil).values == [-32_768, 32_767, -2])
        let npzPath = try Self.write(Self.bytes(F.npzSingle), dir, "archive.npy")
        #expect(try NumPyFile.read(npzPath, array: nil).values == [1.25, 2.5])
    }

    /// np.savez (stored), np.savez_compressed (deflate), and the stored archive rewritten with ZIP64 directory
    /// fields and end records (sizes and offsets 0xFFFFFFFF, as zipfile writes for large archives).
    @Test(arguments: ["npzStored", "npzCompressed", "npzZip64"]) func readsArchives(_ fixture: String) throws {
        let base64 = ["npzStored": F.npzStored, "npzCompressed": F.npzCompressed, "npzZip64": F.npzZip64][fixture]!
        let dir = try TestFiles.temporaryFolder()
        defer { TestFiles.remove(dir) }
        let path = try Self.write(Self.bytes(base64), dir, "a.npz")
        #expect(try NumPyFile.arrayNames(path) == ["images", "labels"])
        let images = try NumPyFile.read(path, array: "images")
        let labels = try NumPyFile.read(path, array: "labels.npy")  // np.load accepts the member name too
        if fixture == "npzCompressed" {
            #expect(images == NumericArray(shape: [2, 2], elementType: .float32, values: [0.5, 1, 2, 4]))
            #expect(labels == NumericArray(shape: [3], elementType: .uint16, values: [7, 8, 9]))
        } else {
            #expect(images == NumericArray(shape: [2, 3], elementType: .uint8, values: [0, 1, 2, 3, 4, 5]))
            #expect(labels == NumericArray(shape: [2], elementType: .int64, values: [3, -1]))
        }
    }

    @Test func keyMayBeOmittedOnlyForOneArray() throws {
        let dir = try TestFiles.temporaryFolder()
        defer { TestFiles.remove(dir) }
        let single = try Self.write(Self.bytes(F.npzSingle), dir, "single.npz")
        #expect(try NumPyFile.arrayNames(single) == ["only"])
        #expect(
            try NumPyFile.read(single, array: nil)
                == NumericArray(shape: [2], elementType: .float64, values: [1.25, 2.5]))
        try Self.expectError(
            Self.bytes(F.npzStored), name: "two.npz", kind: .badArgument,
            contains: ["holding 2 arrays (images, labels)", "name the one to read"])
        try Self.expectError(Self.bytes(F.npzEmpty), name: "none.npz", kind: .badArgument, contains: ["no arrays"])
        let empty = try Self.write(Self.bytes(F.npzEmpty), dir, "empty.npz")
        #expect(try NumPyFile.arrayNames(empty) == [])
    }

    /// Headers as other writers (or hands) may lay them out: any whitespace, double quotes, any key order, no
    /// trailing comma, '=' or no byte order, Python 2's `3L`, a 1-tuple with a space.
    @Test(arguments: [
        "{'descr': '<i2', 'fortran_order': False, 'shape': (3,), }",
        "{\"shape\":(3,),\"descr\":\"<i2\",\"fortran_order\":False}",
        "{ 'descr' :\t'=i2' ,\n 'fortran_order' : False , 'shape' : ( 3 , ) , }",
        "{'descr': 'i2', 'fortran_order': True, 'shape': (3L,)}",
        "{'descr': '|i2', 'fortran_order': False, 'shape': (3 ,)}"
    ])
    func parsesHeaderLayouts(_ header: String) throws {
        let dir = try TestFiles.temporaryFolder()
        defer { TestFiles.remove(dir) }
        let path = try Self.write(Self.npy(header, [1, 0, 2, 0, 0xff, 0xff]), dir, "h.npy")
        #expect(
            try NumPyFile.read(path, array: nil) == NumericArray(shape: [3], elementType: .int16, values: [1, 2, -1]))
    }

    @Test func fortranOrderIsRearranged() {
        // A 2×3 array [[0, 1, 2], [3, 4, 5]] in Fortran order is stored 0 3 1 4 2 5.
        #expect(NumPyFile.cOrder(fromFortran: [0, 3, 1, 4, 2, 5], shape: [2, 3]) == [0, 1, 2, 3, 4, 5])
        #expect(NumPyFile.cOrder(fromFortran: [1, 2, 3], shape: [3, 1]) == [1, 2, 3])
        #expect(NumPyFile.cOrder(fromFortran: [], shape: [0, 2]) == [])
    }

    // MARK: Errors

    @Test func badMagic() throws {
        try Self.expectError(
            Array("hello world".utf8), kind: .badMagic, contains: ["68 65 6c 6c 6f 20", "\\x93NUMPY", "PK"])
        try Self.expectError([], kind: .badMagic, contains: ["it is empty"])
    }

    @Test(arguments: [
        ("objects", "'|O' (Python objects)"), ("float16", "'<f2' (float16)"), ("complex", "'<c8' (complex numbers)"),
        ("strings", "'<U2' (Unicode strings)"), ("structured", "structured dtype ([('a', '<i4'), ('b', '<f4')])")
    ])
    func unsupportedDtypes(_ fixture: String, _ described: String) throws {
        let base64 = [
            "objects": F.objects, "float16": F.float16, "complex": F.complex, "strings": F.strings,
            "structured": F.structured
        ][fixture]!
        try Self.expectError(
            Self.bytes(base64), kind: .unsupportedFormat,
            contains: [described, "not supported", "allowed: '|b1' (bool)"])
    }

    @Test func truncatedData() throws {
        let full = Self.bytes(F.float32Matrix)
        try Self.expectError(
            Array(full.dropLast()), kind: .truncated,
            contains: ["holds 23 bytes of data", "shape (2, 3) of float32 needs 24", "truncated"])
        try Self.expectError(Array(full[0..<40]), kind: .truncated, contains: ["header runs to byte 128", "truncated"])
        try Self.expectError(Array(full[0..<9]), kind: .truncated, contains: ["9 bytes long", "truncated"])
    }

    @Test func trailingData() throws {
        try Self.expectError(
            Self.bytes(F.float32Matrix) + [0, 0], kind: .trailingData,
            contains: ["holds 26 bytes of data, 2 more than", "needs (24)", "trailing data"])
    }

    @Test func integersBeyondDoublePrecision() throws {
        try Self.expectError(
            Self.bytes(F.int64Beyond), kind: .unsupportedFormat,
            contains: ["element 1 is 9007199254740993", "beyond ±2^53", "int64"])
        try Self.expectError(
            Self.bytes(F.uint64Beyond), kind: .unsupportedFormat, contains: ["element 0 is 9223372036854775808"])
    }

    @Test(arguments: [
        ("{'descr': '<i2', 'fortran_order': False}", "exactly the keys 'descr', 'fortran_order' and 'shape'"),
        ("{'descr': '<i2', 'fortran_order': False, 'shape': (3,), 'x': 1}", "exactly the keys"),
        ("{'descr': '<i2', 'fortran_order': 0, 'shape': (3,)}", "'fortran_order' that is not True or False"),
        ("{'descr': '<i2', 'fortran_order': False, 'shape': (-1,)}", "not a tuple of sizes ≥ 0"),
        ("{'descr': '<i2', 'fortran_order': False, 'shape': 3}", "'shape' that is not a tuple"),
        ("{'descr': '<i2', 'fortran_order': False, 'shape': (3,)", "not a Python dict literal (expected ',' or '}'"),
        ("{'descr': '<i2', 'fortran_order': Maybe, 'shape': (3,)}", "unexpected 'M' at character 35"),
        ("['descr']", "is not a dict: ['descr']")
    ])
    func badHeaders(_ header: String, _ part: String) throws {
        try Self.expectError(Self.npy(header, [1, 0, 2, 0, 0xff, 0xff]), kind: .badHeader, contains: [part])
    }

    @Test func unsupportedVersion() throws {
        let header = "{'descr': '<i2', 'fortran_order': False, 'shape': (3,), }"
        try Self.expectError(
            Self.npy(header, [1, 0, 2, 0, 0xff, 0xff], version: 4), kind: .unsupportedFormat,
            contains: ["format version 4.0", "supported: 1.0, 2.0, 3.0"])
    }

    @Test func keyOnNpy() throws {
        try Self.expectError(
            Self.bytes(F.int16), key: "images", kind: .badArgument,
            contains: [".npy file", "one unnamed array", "\"images\""])
    }

    @Test func unknownKeyListsTheNames() throws {
        try Self.expectError(
            Self.bytes(F.npzStored), name: "a.npz", key: "image", kind: .badArgument,
            contains: ["no array \"image\"", "did you mean \"images\"", "its arrays are: images, labels."])
    }

    @Test func missingFileAndFolder() throws {
        let dir = try TestFiles.temporaryFolder()
        defer { TestFiles.remove(dir) }
        let missing = try TestFiles.dataError { _ = try NumPyFile.read(dir + "/nope.npz", array: "x") }
        #expect(missing.kind == .missingFile && missing.message.contains(dir + "/nope.npz"), "\(missing.message)")
        let names = try TestFiles.dataError { _ = try NumPyFile.arrayNames(dir + "/nope.npz") }
        #expect(names.kind == .missingFile)
        let folder = try TestFiles.dataError { _ = try NumPyFile.read(dir, array: nil) }
        #expect(folder.kind == .unreadableFile && folder.message.contains("\(dir) is a folder"), "\(folder.message)")
    }

    /// A flipped byte in a stored member's data: its CRC-32 no longer matches; the other member still reads.
    @Test func crcMismatch() throws {
        var b = Self.bytes(F.npzStored)
        let directory = Self.directoryStart(b)
        b[directory - 1] ^= 0x01  // the last data byte of the last member ("labels")
        try Self.expectError(
            b, name: "a.npz", key: "labels", kind: .checksumMismatch,
            contains: ["array \"labels\" in data file", "CRC-32 of its contents is", "the archive is damaged"])
        let dir = try TestFiles.temporaryFolder()
        defer { TestFiles.remove(dir) }
        #expect(try NumPyFile.read(Self.write(b, dir, "a.npz"), array: "images").values == [0, 1, 2, 3, 4, 5])
    }

    /// The uncompressed size in the central directory disagrees with what the deflate stream gives.
    @Test func declaredSizeDisagrees() throws {
        let original = Self.bytes(F.npzCompressed)
        let field = Self.directoryStart(original) + 24  // the first entry's ("images") uncompressed size
        for (delta, part) in [(1, "not the 145 bytes the zip directory declares"), (-1, "more than the 143 bytes")] {
            var b = original
            b[field] = UInt8(Int(b[field]) + delta)
            try Self.expectError(
                b, name: "a.npz", key: "images", kind: .corruptArchive,
                contains: ["array \"images\" in data file", part])
        }
    }

    @Test func damagedDeflateStream() throws {
        var b = Self.bytes(F.npzCompressed)
        b[80] ^= 0xff  // inside the deflate stream of "images" (its data starts at byte 60)
        let dir = try TestFiles.temporaryFolder()
        defer { TestFiles.remove(dir) }
        let error = try TestFiles.dataError { _ = try NumPyFile.read(Self.write(b, dir, "a.npz"), array: "images") }
        #expect([.corruptArchive, .checksumMismatch].contains(error.kind), "\(error.message)")
        #expect(error.message.contains("array \"images\" in data file \(dir)/a.npz"), "\(error.message)")
    }

    @Test func unsupportedCompressionMethod() throws {
        var b = Self.bytes(F.npzStored)
        b[Self.directoryStart(b) + 10] = 12  // bzip2
        try Self.expectError(
            b, name: "a.npz", key: "images", kind: .unsupportedFormat,
            contains: ["compression method 12", "supported: 0 (stored, np.savez) and 8"])
    }

    @Test func truncatedArchive() throws {
        let b = Self.bytes(F.npzStored)
        try Self.expectError(
            Array(b.dropLast(10)), name: "a.npz", key: "images", kind: .truncated,
            contains: ["without the end-of-central-directory record", "truncated"])
        // The members cut short: the directory's recorded offset now lies beyond the file's end.
        var cut = Array(b[0..<100])
        cut += b[Self.directoryStart(b)...]
        try Self.expectError(cut, name: "a.npz", key: "images", kind: .corruptArchive, contains: ["central directory"])
    }

    /// The offset of the central directory's first entry (signature PK 01 02).
    static func directoryStart(_ b: [UInt8]) -> Int {
        (0..<(b.count - 3)).first { b[$0] == 0x50 && b[$0 + 1] == 0x4b && b[$0 + 2] == 1 && b[$0 + 3] == 2 }!
    }
}

/// Files written by numpy 2.4.6 (`np.lib.format.write_array` for .npy, `np.savez`/`np.savez_compressed` for
/// .npz), base64-encoded; each comment is the Python expression that made the file, where
/// `npy(a, **kw)` is write_array(f, a, **kw), `npz(**arrays)` np.savez, `npz(True, **arrays)` np.savez_compressed,
/// and `zip64_variant` rewrites an archive's central directory with ZIP64 extra fields (sizes and offset
/// 0xFFFFFFFF) and adds a ZIP64 end record and locator (numpy's own np.load reads the result).
enum NumPyFixtures {
    /// npy(np.array([[0.1, -2.5, 1e-3], [3.0e38, -0.0, 7]], '<f4'))
    static let float32Matrix = """
        k05VTVBZAQB2AHsnZGVzY3InOiAnPGY0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDMpLCB9ICAgICAg
        ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIArNzMw9AAAgwG8SgzrmsWF/AAAAgAAA
        4EA=
        """
    /// npy(np.array([[1.5, -2.25], [1e300, 5e-324]], '<f8'))
    static let float64Matrix = """
        k05VTVBZAQB2AHsnZGVzY3InOiAnPGY4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDIpLCB9ICAgICAg
        ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAAD4PwAAAAAAAALAnHUAiDzk
        N34BAAAAAAAAAA==
        """
    /// npy(np.array([0, 1, 127, 128, 255], '|u1'))
    static let uint8 = """
        k05VTVBZAQB2AHsnZGVzY3InOiAnfHUxJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDUsKSwgfSAgICAgICAg
        ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAX+A/w==
        """
    /// npy(np.array([-128, -1, 0, 127], '|i1'))
    static let int8 = """
        k05VTVBZAQB2AHsnZGVzY3InOiAnfGkxJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDQsKSwgfSAgICAgICAg
        ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAqA/wB/
        """
    /// npy(np.array([True, False, True, True]))
    static let bool = """
        k05VTVBZAQB2AHsnZGVzY3InOiAnfGIxJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDQsKSwgfSAgICAgICAg
        ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoBAAEB
        """
    /// npy(np.array([0, 65535, 258], '<u2'))
    static let uint16 = """
        k05VTVBZAQB2AHsnZGVzY3InOiAnPHUyJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDMsKSwgfSAgICAgICAg
        ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAP//AgE=
        """
    /// npy(np.array([-32768, 32767, -2], '<i2'))
    static let int16 = """
        k05VTVBZAQB2AHsnZGVzY3InOiAnPGkyJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDMsKSwgfSAgICAgICAg
        ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAgP9//v8=
        """
    /// npy(np.array([0, 4294967295, 16909060], '<u4'))
    static let uint32 = """
        k05VTVBZAQB2AHsnZGVzY3InOiAnPHU0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDMsKSwgfSAgICAgICAg
        ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAA/////wQDAgE=
        """
    /// npy(np.array([-2147483648, 2147483647, -5], '<i4'))
    static let int32 = """
        k05VTVBZAQB2AHsnZGVzY3InOiAnPGk0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDMsKSwgfSAgICAgICAg
        ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAACA////f/v///8=
        """
    /// npy(np.array([0, 2**53, 12345678901234], '<u8'))
    static let uint64 = """
        k05VTVBZAQB2AHsnZGVzY3InOiAnPHU4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDMsKSwgfSAgICAgICAg
        ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAAAAAAAAAAAAACAA8i/OczoL
        AAA=
        """
    /// npy(np.array([-2**53, 2**53, -1], '<i8'))
    static let int64 = """
        k05VTVBZAQB2AHsnZGVzY3InOiAnPGk4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDMsKSwgfSAgICAgICAg
        ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAADg/wAAAAAAACAA////////
        //8=
        """
    /// npy(np.array([[1, -2], [65536, -65536]], '>i4'))
    static let bigInt32Matrix = """
        k05VTVBZAQB2AHsnZGVzY3InOiAnPmk0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDIpLCB9ICAgICAg
        ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAB/////gABAAD//wAA
        """
    /// npy(np.array([1.5, -0.1], '>f8'))
    static let bigFloat64 = """
        k05VTVBZAQB2AHsnZGVzY3InOiAnPmY4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsKSwgfSAgICAgICAg
        ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAo/+AAAAAAAAL+5mZmZmZma
        """
    /// npy(np.array([1, 258], '>u2'))
    static let bigUInt16 = """
        k05VTVBZAQB2AHsnZGVzY3InOiAnPnUyJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsKSwgfSAgICAgICAg
        ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAQEC
        """
    /// npy(np.asfortranarray(np.arange(24, dtype='<i2').reshape(2, 3, 4)))
    static let fortranInt16Cube = """
        k05VTVBZAQB2AHsnZGVzY3InOiAnPGkyJywgJ2ZvcnRyYW5fb3JkZXInOiBUcnVlLCAnc2hhcGUnOiAoMiwgMywgNCksIH0gICAg
        ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAwABAAQAAgAFAABAA0ABQARAAkA
        FQACAA4ABgASAAoAFgADAA8ABwATAAsAFwA=
        """
    /// npy(np.asfortranarray(np.array([[1, 2], [3, 4], [5, 6]], '<f8')))
    static let fortranFloat64Matrix = """
        k05VTVBZAQB2AHsnZGVzY3InOiAnPGY4JywgJ2ZvcnRyYW5fb3JkZXInOiBUcnVlLCAnc2hhcGUnOiAoMywgMiksIH0gICAgICAg
        ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAADwPwAAAAAAAAhAAAAAAAAA
        FEAAAAAAAAAAQAAAAAAAABBAAAAAAAAAGEA=
        """
    /// npy(np.array(3.5, '<f8'))
    static let scalar = """
        k05VTVBZAQB2AHsnZGVzY3InOiAnPGY4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKCksIH0gICAgICAgICAg
        ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAAAMQA==
        """
    /// npy(np.zeros((0, 3), '<f4'))
    static let emptyRows = """
        k05VTVBZAQB2AHsnZGVzY3InOiAnPGY0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDAsIDMpLCB9ICAgICAg
        ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAo=
        """
    /// npy(np.arange(4, dtype='<u2'), version=(2, 0))
    static let version2 = """
        k05VTVBZAgB0AAAAeydkZXNjcic6ICc8dTInLCAnZm9ydHJhbl9vcmRlcic6IEZhbHNlLCAnc2hhcGUnOiAoNCwpLCB9ICAgICAg
        ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAEAAgADAA==
        """
    /// npy(np.arange(3, dtype='<i4'), version=(3, 0))
    static let version3 = """
        k05VTVBZAwB0AAAAeydkZXNjcic6ICc8aTQnLCAnZm9ydHJhbl9vcmRlcic6IEZhbHNlLCAnc2hhcGUnOiAoMywpLCB9ICAgICAg
        ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAQAAAAIAAAA=
        """
    /// npy(np.array([1, 'a'], dtype=object), allow_pickle=True)
    static let objects = """
        k05VTVBZAQB2AHsnZGVzY3InOiAnfE8nLCAnZm9ydHJhbl9vcmRlcic6IEZhbHNlLCAnc2hhcGUnOiAoMiwpLCB9ICAgICAgICAg
        ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAqABJWQAAAAAAAAAIwWbnVtcHkuX2Nv
        cmUubXVsdGlhcnJheZSMDF9yZWNvbnN0cnVjdJSTlIwFbnVtcHmUjAduZGFycmF5lJOUSwCFlEMBYpSHlFKUKEsBSwKFlGgDjAVk
        dHlwZZSTlIwCTziUiYiHlFKUKEsDjAF8lE5OTkr/////Sv////9LP3SUYoldlChLAYwBYZRldJRiLg==
        """
    /// npy(np.array([1, 2], '<f2'))
    static let float16 = """
        k05VTVBZAQB2AHsnZGVzY3InOiAnPGYyJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsKSwgfSAgICAgICAg
        ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAPABA
        """
    /// npy(np.array([1j], '<c8'))
    static let complex = """
        k05VTVBZAQB2AHsnZGVzY3InOiAnPGM4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDEsKSwgfSAgICAgICAg
        ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAACAPw==
        """
    /// npy(np.array(['ab', 'c'], '<U2'))
    static let strings = """
        k05VTVBZAQB2AHsnZGVzY3InOiAnPFUyJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsKSwgfSAgICAgICAg
        ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAphAAAAYgAAAGMAAAAAAAAA
        """
    /// npy(np.zeros(2, dtype=[('a', '<i4'), ('b', '<f4')]))
    static let structured = """
        k05VTVBZAQB2AHsnZGVzY3InOiBbKCdhJywgJzxpNCcpLCAoJ2InLCAnPGY0JyldLCAnZm9ydHJhbl9vcmRlcic6IEZhbHNlLCAn
        c2hhcGUnOiAoMiwpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAAAAAAAAAAAAAAAA
        """
    /// npy(np.array([1, 2**53 + 1], '<i8'))
    static let int64Beyond = """
        k05VTVBZAQB2AHsnZGVzY3InOiAnPGk4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsKSwgfSAgICAgICAg
        ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoBAAAAAAAAAAEAAAAAACAA
        """
    /// npy(np.array([2**63], '<u8'))
    static let uint64Beyond = """
        k05VTVBZAQB2AHsnZGVzY3InOiAnPHU4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDEsKSwgfSAgICAgICAg
        ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAAAAgA==
        """
    /// npz(images=np.arange(6, dtype='|u1').reshape(2, 3), labels=np.array([3, -1], '<i8'))
    static let npzStored = """
        UEsDBC0AAAAAAAAAIQB+ntfP//////////8KABQAaW1hZ2VzLm5weQEAEACGAAAAAAAAAIYAAAAAAAAAk05VTVBZAQB2AHsnZGVz
        Y3InOiAnfHUxJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDMpLCB9ICAgICAgICAgICAgICAgICAgICAg
        ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAQIDBAVQSwMELQAAAAAAAAAhAGfe/2j//////////woAFABs
        YWJlbHMubnB5AQAQAJAAAAAAAAAAkAAAAAAAAACTTlVNUFkBAHYAeydkZXNjcic6ICc8aTgnLCAnZm9ydHJhbl9vcmRlcic6IEZh
        bHNlLCAnc2hhcGUnOiAoMiwpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAg
        ICAgICAgCgMAAAAAAAAA//////////9QSwECLQMtAAAAAAAAACEAfp7Xz4YAAACGAAAACgAAAAAAAAAAAAAAgAEAAAAAaW1hZ2Vz
        Lm5weVBLAQItAy0AAAAAAAAAIQBn3v9okAAAAJAAAAAKAAAAAAAAAAAAAACAAcIAAABsYWJlbHMubnB5UEsFBgAAAAACAAIAcAAA
        AI4BAAAAAA==
        """
    /// npz(True, images=np.array([[0.5, 1], [2, 4]], '<f4'), labels=np.array([7, 8, 9], '<u2'))
    static let npzCompressed = """
        UEsDBC0AAAAIAAAAIQDFGxQw//////////8KABQAaW1hZ2VzLm5weQEAEACQAAAAAAAAAFMAAAAAAAAAm+wX6hsQychQxlCtnpJa
        nFykbqWgbpNmoq6joJ6WX1RSlJgXn1+UkgoSd0vMKU4FihdnJBakAvkaRjoKRpo6CrUKZAMuBgYGewaGBiBmcADSDgBQSwMELQAA
        AAgAAAAhAKQhOuj//////////woAFABsYWJlbHMubnB5AQAQAIYAAAAAAAAASgAAAAAAAACb7BfqGxDJyFDGUK2eklqcXKRupaBu
        U2qkrqOgnpZfVFKUmBefX5SSChJ3S8wpTgWKF2ckFqQC+RrGOpo6CrUKFAAudgYOBk4GAFBLAQItAy0AAAAIAAAAIQDFGxQwUwAA
        AJAAAAAKAAAAAAAAAAAAAACAAQAAAABpbWFnZXMubnB5UEsBAi0DLQAAAAgAAAAhAKQhOuhKAAAAhgAAAAoAAAAAAAAAAAAAAIAB
        jwAAAGxhYmVscy5ucHlQSwUGAAAAAAIAAgBwAAAAFQEAAAAA
        """
    /// npz(only=np.array([1.25, 2.5]))
    static let npzSingle = """
        UEsDBC0AAAAAAAAAIQAaPi3S//////////8IABQAb25seS5ucHkBABAAkAAAAAAAAACQAAAAAAAAAJNOVU1QWQEAdgB7J2Rlc2Ny
        JzogJzxmOCcsICdmb3J0cmFuX29yZGVyJzogRmFsc2UsICdzaGFwZSc6ICgyLCksIH0gICAgICAgICAgICAgICAgICAgICAgICAg
        ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAKAAAAAAAA9D8AAAAAAAAEQFBLAQItAy0AAAAAAAAAIQAaPi3SkAAA
        AJAAAAAIAAAAAAAAAAAAAACAAQAAAABvbmx5Lm5weVBLBQYAAAAAAQABADYAAADKAAAAAAA=
        """
    /// zip64_variant(F['npzStored'])
    static let npzZip64 = """
        UEsDBC0AAAAAAAAAIQB+ntfP//////////8KABQAaW1hZ2VzLm5weQEAEACGAAAAAAAAAIYAAAAAAAAAk05VTVBZAQB2AHsnZGVz
        Y3InOiAnfHUxJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDMpLCB9ICAgICAgICAgICAgICAgICAgICAg
        ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAQIDBAVQSwMELQAAAAAAAAAhAGfe/2j//////////woAFABs
        YWJlbHMubnB5AQAQAJAAAAAAAAAAkAAAAAAAAACTTlVNUFkBAHYAeydkZXNjcic6ICc8aTgnLCAnZm9ydHJhbl9vcmRlcic6IEZh
        bHNlLCAnc2hhcGUnOiAoMiwpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAg
        ICAgICAgCgMAAAAAAAAA//////////9QSwECLQMtAAAAAAAAACEAfp7Xz///////////CgAcAAAAAAAAAAAAgAH/////aW1hZ2Vz
        Lm5weQEAGACGAAAAAAAAAIYAAAAAAAAAAAAAAAAAAABQSwECLQMtAAAAAAAAACEAZ97/aP//////////CgAcAAAAAAAAAAAAgAH/
        ////bGFiZWxzLm5weQEAGACQAAAAAAAAAJAAAAAAAAAAwgAAAAAAAABQSwYGLAAAAAAAAAAtAC0AAAAAAAAAAAACAAAAAAAAAAIA
        AAAAAAAAqAAAAAAAAACOAQAAAAAAAFBLBgcAAAAANgIAAAAAAAABAAAAUEsFBgAAAAD///////////////8AAA==
        """
    /// npz()
    static let npzEmpty = """
        UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA==
        """
}
