import Testing

@testable import GFEData

/// Small synthetic IDX files: every validation failure gives its documented error, naming the file, what was
/// expected and what was found, and ending with the how-to-fix text.
@Suite struct IDXFileTests {
    static let fix = "Run `make data`."
    static let pixels: [UInt8] = (0..<(3 * 784)).map { UInt8(($0 * 7) % 256) }

    /// Writes `bytes` as `name` into a fresh folder, gzip-compressed when `gzip`; returns (folder, path).
    func write(_ bytes: [UInt8], gzip: Bool = false) throws -> (String, String) {
        let dir = try TestFiles.temporaryFolder()
        try TestFiles.write(bytes, to: dir + "/f")
        if gzip {
            try TestFiles.gzip(dir + "/f", to: dir + "/f.gz")
            return (dir, dir + "/f.gz")
        }
        return (dir, dir + "/f")
    }

    func images(_ count: Int = 3, sha256: String? = nil) -> IDXExpectation {
        IDXExpectation(kind: .images, count: count, sha256: sha256)
    }

    func expectError(
        _ bytes: [UInt8], _ e: IDXExpectation, kind: DataError.Kind, contains parts: [String],
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let (dir, path) = try write(bytes)
        defer { TestFiles.remove(dir) }
        let error = try TestFiles.dataError(
            { _ = try IDXFile.read(path, expecting: e, fix: IDXFileTests.fix) },
            sourceLocation: sourceLocation)
        #expect(error.kind == kind, "\(error.message)", sourceLocation: sourceLocation)
        #expect(error.message.contains("data file \(path)"), sourceLocation: sourceLocation)
        for part in parts {
            #expect(
                error.message.contains(part), "missing \"\(part)\" in: \(error.message)", sourceLocation: sourceLocation
            )
        }
        #expect(error.message.hasSuffix(IDXFileTests.fix), sourceLocation: sourceLocation)
        #expect(error.exitCode == 2, sourceLocation: sourceLocation)
    }

    @Test func readsValidImagesPlainAndGzip() throws {
        let bytes = TestFiles.idxImages(count: 3, pixels: IDXFileTests.pixels)
        for gzip in [false, true] {
            let (dir, path) = try write(bytes, gzip: gzip)
            defer { TestFiles.remove(dir) }
            // Expected checksum from Python's hashlib over the uncompressed file.
            let sha = try TestFiles.python(
                "import hashlib,sys; print(hashlib.sha256(open(sys.argv[1],'rb').read()).hexdigest())",
                [dir + "/f"]
            ).trimmingCharacters(in: .whitespacesAndNewlines)
            let file = try IDXFile.read(path, expecting: images(sha256: sha))
            #expect(file.sha256 == sha)
            #expect(file.count == 3)
            #expect(Array(file.item(1)) == Array(IDXFileTests.pixels[784..<1568]))
        }
    }

    @Test func readsValidLabels() throws {
        let (dir, path) = try write(TestFiles.idxLabels(count: 4, labels: [5, 0, 9, 3]))
        defer { TestFiles.remove(dir) }
        let file = try IDXFile.read(path, expecting: IDXExpectation(kind: .labels, count: 4, sha256: nil))
        #expect((0..<4).map { file.label($0) } == [5, 0, 9, 3])
    }

    @Test func badMagic() throws {
        try expectError(
            TestFiles.idxImages(count: 3, magic: 1234, pixels: IDXFileTests.pixels), images(),
            kind: .badMagic, contains: ["magic number is 1234 (0x000004D2)", "expected 2051 (0x00000803"])
    }

    @Test func labelsFileWhereImagesExpected() throws {
        try expectError(
            TestFiles.idxLabels(count: 3, labels: [1, 2, 3]), images(),
            kind: .badMagic, contains: ["magic number is 2049", "expected 2051", "swapped"])
    }

    @Test func wrongDimensions() throws {
        try expectError(
            TestFiles.idxImages(count: 3, rows: 32, cols: 32, pixels: IDXFileTests.pixels), images(),
            kind: .badDimensions, contains: ["images are 32×32, expected 28×28"])
    }

    @Test func wrongCount() throws {
        try expectError(
            TestFiles.idxImages(count: 2, pixels: Array(IDXFileTests.pixels[0..<1568])), images(),
            kind: .wrongCount, contains: ["header says 2 images, expected 3"])
        try expectError(
            TestFiles.idxLabels(count: 59_999, labels: [UInt8](repeating: 1, count: 59_999)),
            IDXExpectation(kind: .labels, count: 60_000, sha256: nil),
            kind: .wrongCount, contains: ["header says 59,999 labels, expected 60,000"])
    }

    @Test func truncatedBody() throws {
        try expectError(
            TestFiles.idxImages(count: 3, pixels: Array(IDXFileTests.pixels.dropLast(10))), images(),
            kind: .truncated, contains: ["is 2,358 bytes uncompressed", "needs 2,368", "truncated"])
    }

    @Test func truncatedHeader() throws {
        try expectError([0, 0, 8], images(), kind: .truncated, contains: ["3 bytes long", "truncated"])
        try expectError(
            [0, 0, 8, 3, 0, 0, 0, 3, 0, 0], images(), kind: .truncated,
            contains: ["10 bytes long, shorter than its 16-byte IDX header"])
    }

    @Test func trailingBytes() throws {
        try expectError(
            TestFiles.idxImages(count: 3, pixels: IDXFileTests.pixels + [1, 2, 3]), images(),
            kind: .trailingData, contains: ["2,371 bytes", "3 more than its header", "trailing garbage"])
    }

    /// A small gzip file that inflates far beyond the expected length (64 MiB of zeros after a valid header) is
    /// refused while decompressing, long before it would fill memory.
    @Test func fileInflatingFarBeyondItsLengthIsStoppedEarly() throws {
        let dir = try TestFiles.temporaryFolder()
        defer { TestFiles.remove(dir) }
        try TestFiles.python(
            "import gzip,sys; h=bytes([0,0,8,3,0,0,0,3,0,0,0,28,0,0,0,28]); "
                + "open(sys.argv[1],'wb').write(gzip.compress(h + bytes(64 << 20), mtime=0))",
            [dir + "/bomb.gz"])
        let error = try TestFiles.dataError { _ = try IDXFile.read(dir + "/bomb.gz", expecting: images(), fix: "") }
        #expect(error.kind == .trailingData && error.exitCode == 2, "\(error.message)")
        #expect(error.message.contains("holds more than the 1,050,944 bytes expected"), "\(error.message)")
    }

    @Test func labelOutOfRange() throws {
        try expectError(
            TestFiles.idxLabels(count: 3, labels: [1, 12, 3]),
            IDXExpectation(kind: .labels, count: 3, sha256: nil),
            kind: .badLabel, contains: ["label 12 at index 1 is outside 0…9"])
    }

    @Test func checksumMismatch() throws {
        let wrong = String(repeating: "ab", count: 32)
        let bytes = TestFiles.idxImages(count: 3, pixels: IDXFileTests.pixels)
        try expectError(
            bytes, images(sha256: wrong), kind: .checksumMismatch,
            contains: ["SHA-256 of the uncompressed contents is \(Checksum.sha256(bytes))", "expected \(wrong)"])
    }
}
