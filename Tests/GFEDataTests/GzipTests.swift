import Testing

@testable import GFEData

/// gzip files are written by Python's gzip module and read back through zlib's inflate.
@Suite struct GzipTests {
    /// Deterministic incompressible bytes (a 64-bit LCG's top byte), so the compressed file spans several
    /// 1 MiB read chunks and the output several 256 KiB inflate chunks.
    static func noise(_ count: Int, seed: UInt64 = 1) -> [UInt8] {
        var x = seed
        return (0..<count).map { _ in
            x = x &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: x >> 56)
        }
    }

    @Test func roundTripLargeFile() throws {
        let dir = try TestFiles.temporaryFolder()
        defer { TestFiles.remove(dir) }
        let original = GzipTests.noise(2_500_000) + [UInt8](repeating: 7, count: 700_000)
        try TestFiles.write(original, to: dir + "/x")
        try TestFiles.gzip(dir + "/x", to: dir + "/x.gz")
        let compressed = try TestFiles.readRaw(dir + "/x.gz")
        #expect(compressed.count > 2_000_000)
        #expect(compressed[0] == 0x1f && compressed[1] == 0x8b)
        let decoded = try FileContents.read(dir + "/x.gz")
        #expect(decoded.count == original.count)
        #expect(decoded == original)
    }

    @Test func plainFileIsReadAsIs() throws {
        let dir = try TestFiles.temporaryFolder()
        defer { TestFiles.remove(dir) }
        let original = GzipTests.noise(1_300_000, seed: 5)
        try TestFiles.write(original, to: dir + "/plain.gz")  // the name does not matter, the magic bytes do
        #expect(try FileContents.read(dir + "/plain.gz") == original)
        try TestFiles.write([], to: dir + "/empty")
        #expect(try FileContents.read(dir + "/empty") == [])
        try TestFiles.write([0x1f], to: dir + "/one")
        #expect(try FileContents.read(dir + "/one") == [0x1f])
    }

    @Test func concatenatedMembers() throws {
        let dir = try TestFiles.temporaryFolder()
        defer { TestFiles.remove(dir) }
        try TestFiles.python(
            """
            import gzip,sys
            open(sys.argv[1],'wb').write(gzip.compress(b'first member|', mtime=0) + gzip.compress(b'second', mtime=0))
            """, [dir + "/two.gz"])
        #expect(try FileContents.read(dir + "/two.gz") == Array("first member|second".utf8))
    }

    @Test func truncatedGzip() throws {
        let dir = try TestFiles.temporaryFolder()
        defer { TestFiles.remove(dir) }
        try TestFiles.write(GzipTests.noise(200_000), to: dir + "/x")
        try TestFiles.gzip(dir + "/x", to: dir + "/x.gz")
        let full = try TestFiles.readRaw(dir + "/x.gz")
        try TestFiles.write(Array(full[0..<(full.count - 100)]), to: dir + "/cut.gz")
        let e = try TestFiles.dataError { _ = try FileContents.read(dir + "/cut.gz", fix: "Get a new copy.") }
        #expect(e.kind == .truncated)
        #expect(e.message.contains(dir + "/cut.gz"))
        #expect(e.message.contains("truncated"))
        #expect(e.message.hasSuffix("Get a new copy."))
        #expect(e.exitCode == 2)
    }

    @Test func trailingGarbageAfterGzip() throws {
        let dir = try TestFiles.temporaryFolder()
        defer { TestFiles.remove(dir) }
        try TestFiles.python(
            """
            import gzip,sys
            open(sys.argv[1],'wb').write(gzip.compress(b'payload', mtime=0) + b'this is not gzip')
            open(sys.argv[2],'wb').write(gzip.compress(b'payload', mtime=0) + b'x')
            """, [dir + "/long.gz", dir + "/short.gz"])
        for name in ["long.gz", "short.gz"] {
            let e = try TestFiles.dataError { _ = try FileContents.read(dir + "/" + name) }
            #expect(e.kind == .trailingData, "\(name): \(e.message)")
            #expect(e.message.contains("trailing garbage"))
        }
    }

    @Test func corruptDeflateData() throws {
        let dir = try TestFiles.temporaryFolder()
        defer { TestFiles.remove(dir) }
        try TestFiles.write([UInt8](repeating: 42, count: 50_000) + GzipTests.noise(50_000), to: dir + "/x")
        try TestFiles.gzip(dir + "/x", to: dir + "/x.gz")
        var bytes = try TestFiles.readRaw(dir + "/x.gz")
        for i in stride(from: bytes.count / 2, to: bytes.count / 2 + 40, by: 1) { bytes[i] ^= 0x5a }
        try TestFiles.write(bytes, to: dir + "/bad.gz")
        let e = try TestFiles.dataError { _ = try FileContents.read(dir + "/bad.gz") }
        #expect(e.kind == .corruptGzip)
        #expect(e.message.contains("not a valid gzip file"))
        #expect(e.message.contains(dir + "/bad.gz"))
    }

    @Test func unreadableFile() throws {
        let e = try TestFiles.dataError { _ = try FileContents.read("/nonexistent/folder/file.gz") }
        #expect(e.kind == .unreadableFile)
        #expect(e.message.contains("/nonexistent/folder/file.gz"))
        #expect(e.message.contains("No such file"))
    }
}
