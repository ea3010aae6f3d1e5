import GFECore
import GFETestSupport
import Testing

@testable import GFEData

/// Truncations, bit flips and junk in IDX files, plain and gzip-compressed: the reader returns a valid file or
/// a DataError (exit 2), never crashes; a damaged file is never taken for the original.
@Suite struct IDXFuzzTests {
    @Test func damagedIDXFilesAreReadOrRefused() throws {
        let pixels: [UInt8] = (0..<(3 * 784)).map { UInt8(($0 * 7) % 256) }
        let images = TestFiles.idxImages(count: 3, pixels: pixels)
        let labels = TestFiles.idxLabels(count: 3, labels: [1, 7, 9])
        let dir = try TestFiles.temporaryFolder()
        defer { TestFiles.remove(dir) }
        var rng = RNG(seed: 13, stream: "idx-fuzz")
        var refused = 0
        for (original, kind) in [(images, IDXExpectation.Kind.images), (labels, .labels)] {
            let sha = Checksum.sha256(original)
            for trial in 0..<150 {
                let damaged = Mutations.damage(original, rng: &rng)
                let gzip = trial % 3 == 0
                try TestFiles.write(damaged, to: dir + "/f")
                if gzip { try TestFiles.gzip(dir + "/f", to: dir + "/f.gz") }
                do {
                    let file = try IDXFile.read(
                        dir + (gzip ? "/f.gz" : "/f"), expecting: IDXExpectation(kind: kind, count: 3, sha256: sha))
                    #expect(damaged == original && file.sha256 == sha, "a damaged file was accepted")
                } catch let error as DataError {
                    #expect(error.exitCode == 2 && error.message.contains(dir))
                    refused += 1
                }
            }
        }
        #expect(refused > 250)
    }

    /// Damage to the gzip stream itself (not to what it holds).
    @Test func damagedGzipStreamsAreRefused() throws {
        let original = TestFiles.idxLabels(count: 3, labels: [1, 7, 9])
        let dir = try TestFiles.temporaryFolder()
        defer { TestFiles.remove(dir) }
        try TestFiles.write(original, to: dir + "/f")
        try TestFiles.gzip(dir + "/f", to: dir + "/f.gz")
        let compressed = try TestFiles.readRaw(dir + "/f.gz")
        var rng = RNG(seed: 13, stream: "gzip-fuzz")
        for _ in 0..<150 {
            let damaged = Mutations.damage(compressed, rng: &rng)
            try TestFiles.write(damaged, to: dir + "/g.gz")
            do {
                let file = try IDXFile.read(
                    dir + "/g.gz", expecting: IDXExpectation(kind: .labels, count: 3, sha256: Checksum.sha256(original))
                )
                #expect(file.label(2) == 9)  // gzip's own check let it through: the contents are the original's
            } catch let error as DataError {
                #expect(error.exitCode == 2)
            }
        }
    }
}
