import Foundation
import Testing

@testable import GFEData

/// A dataset folder in a temporary directory (found through `GFE_DATA_DIR`), with one file damaged at a time.
/// The labels files are small, and are read before the images, so these tests need no 47 MB decode.
@Suite struct CorruptDatasetTests {
    /// A GFE_DATA_DIR holding mnist/ with the real labels files (uncompressed) and nothing else.
    func dataDir() throws -> (root: String, labels: [UInt8]) {
        try TestFiles.requireMNIST()
        let root = try TestFiles.temporaryFolder()
        try FileManager.default.createDirectory(atPath: root + "/mnist", withIntermediateDirectories: true)
        let labels = try FileContents.read(TestFiles.sharedDatasets + "/mnist/train-labels-idx1-ubyte.gz")
        let testLabels = try FileContents.read(TestFiles.sharedDatasets + "/mnist/t10k-labels-idx1-ubyte.gz")
        try TestFiles.write(testLabels, to: root + "/mnist/t10k-labels-idx1-ubyte")
        // Image files: empty placeholders, never reached when a labels file is bad.
        try TestFiles.write([], to: root + "/mnist/train-images-idx3-ubyte")
        try TestFiles.write([], to: root + "/mnist/t10k-images-idx3-ubyte")
        return (root, labels)
    }

    func locator(_ root: String) -> DataLocator {
        DataLocator.standard(environment: ["GFE_DATA_DIR": root], currentDirectory: "/")
    }

    func loadError(_ root: String) throws -> DataError {
        try TestFiles.dataError { _ = try Dataset.load(.mnist, locator: locator(root), cache: IDXCache()) }
    }

    func expectCommon(_ e: DataError, file: String) {
        #expect(e.message.contains("data file \(file)"), "\(e.message)")
        #expect(e.message.contains("run `make data`"))
        #expect(e.message.contains("GFE_DATA_DIR"))
        #expect(e.exitCode == 2)
    }

    @Test func truncatedLabels() throws {
        let (root, labels) = try dataDir()
        defer { TestFiles.remove(root) }
        let path = root + "/mnist/train-labels-idx1-ubyte"
        try TestFiles.write(Array(labels[0..<30_000]), to: path)
        let e = try loadError(root)
        #expect(e.kind == .truncated)
        #expect(e.message.contains("is 30,000 bytes uncompressed, but its header (60,000 labels) needs 60,008"))
        expectCommon(e, file: path)
    }

    @Test func badMagic() throws {
        let (root, labels) = try dataDir()
        defer { TestFiles.remove(root) }
        var bad = labels
        bad[3] = 0x03  // 2049 → 2051
        let path = root + "/mnist/train-labels-idx1-ubyte"
        try TestFiles.write(bad, to: path)
        let e = try loadError(root)
        #expect(e.kind == .badMagic)
        #expect(e.message.contains("magic number is 2051"))
        #expect(e.message.contains("expected 2049"))
        expectCommon(e, file: path)
    }

    @Test func wrongCount() throws {
        let (root, labels) = try dataDir()
        defer { TestFiles.remove(root) }
        var bad = Array(labels.dropLast())
        bad[7] = 0x5f  // 60000 = 0xEA60 → 0xEA5F = 59999, with 59999 labels: consistent, but not MNIST's count
        let path = root + "/mnist/train-labels-idx1-ubyte"
        try TestFiles.write(bad, to: path)
        let e = try loadError(root)
        #expect(e.kind == .wrongCount)
        #expect(e.message.contains("header says 59,999 labels, expected 60,000"))
        expectCommon(e, file: path)
    }

    @Test func wrongChecksum() throws {
        let (root, labels) = try dataDir()
        defer { TestFiles.remove(root) }
        var bad = labels
        bad[8] = bad[8] == 0 ? 1 : 0  // a different but valid label
        let path = root + "/mnist/train-labels-idx1-ubyte.gz"
        try TestFiles.write(bad, to: root + "/plain")
        try TestFiles.gzip(root + "/plain", to: path)
        let e = try loadError(root)
        #expect(e.kind == .checksumMismatch)
        #expect(e.message.contains("SHA-256 of the uncompressed contents is \(Checksum.sha256(bad))"))
        #expect(e.message.contains("expected 65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"))
        expectCommon(e, file: path)
    }

    @Test func missingFileListsEveryPlaceLookedIn() throws {
        let (root, _) = try dataDir()
        defer { TestFiles.remove(root) }
        // The working directory is nested in a fresh folder so that its ../shared cannot exist.
        let outer = try TestFiles.temporaryFolder()
        defer { TestFiles.remove(outer) }
        let cwd = outer + "/work"
        try FileManager.default.createDirectory(atPath: cwd, withIntermediateDirectories: true)
        // Folders of the standard search order other than GFE_DATA_DIR: the search goes on past a missing file.
        let loc = DataLocator(roots: [root, cwd + "/../shared/datasets"])
        let e = try TestFiles.dataError { _ = try Dataset.load(.mnist, locator: loc, cache: IDXCache()) }
        #expect(e.kind == .missingFile)
        #expect(
            e.message.hasPrefix(
                "data file train-labels-idx1-ubyte[.gz] of dataset mnist not found; looked in: "
                    + "\(root)/mnist/, \(DataLocator.normalised(cwd + "/../shared/datasets/mnist"))/. "))
        #expect(e.message.contains("run `make data`"))

        // The same folder named by GFE_DATA_DIR holds the dataset, so it must hold every file.
        let named = DataLocator.standard(environment: ["GFE_DATA_DIR": root], currentDirectory: cwd)
        let n = try TestFiles.dataError { _ = try Dataset.load(.mnist, locator: named, cache: IDXCache()) }
        #expect(n.kind == .missingFile && n.message.contains("is not in \(root)/mnist/, the folder GFE_DATA_DIR names"))

        let f = try TestFiles.dataError {
            _ = try DataLocator(roots: [root], directFolders: ["fashion_mnist": ["/nowhere/fashion"]])
                .locate(.testImages, for: .fashionMNIST)
        }
        #expect(f.message.contains("looked in: \(root)/fashion_mnist/, /nowhere/fashion/."))
        #expect(f.message.contains("apt-get install dataset-fashion-mnist"))
    }

    @Test func verificationReportsBadAndMissingFiles() throws {
        let (root, labels) = try dataDir()
        defer { TestFiles.remove(root) }
        try TestFiles.write(Array(labels[0..<100]), to: root + "/mnist/train-labels-idx1-ubyte")
        let loc = DataLocator(roots: [root])
        let reports = DataVerification.verify([.mnist, .fashionMNIST], seed: 0, locator: loc, cache: IDXCache())
        #expect(!reports[0].ok && !reports[0].missing)
        #expect(reports[0].files.map(\.file) == SourceFile.allCases)
        #expect(reports[0].files[1].error?.kind == .truncated)
        #expect(reports[0].files[3].error == nil)  // test labels are fine
        #expect(reports[0].splits.isEmpty)
        #expect(reports[1].missing)
        let text = DataVerification.render(reports[1])
        #expect(text.hasPrefix("fashion_mnist: MISSING FILES\n  train-images-idx3-ubyte  missing\n"))
        #expect(
            text.contains(
                "\n  looked in: \(root)/fashion_mnist/\n  To get FashionMNIST: `apt-get install dataset-fashion-mnist`")
        )
        let bad = DataVerification.render(reports[0])
        #expect(bad.hasPrefix("mnist: BAD FILES\n"))
        #expect(bad.contains("\n  train-labels-idx1-ubyte  \(root)/mnist/train-labels-idx1-ubyte\n      data file "))
    }
}
