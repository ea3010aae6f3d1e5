import Foundation
import GFETestSupport
import Testing

@testable import GFEData

/// Locations and scratch files shared by the GFEData tests.
enum TestFiles {
    /// ../shared/datasets beside the repository (CI always has it).
    static let sharedDatasets = DataLocator.normalised(TestPaths.sharedFolder + "/datasets")
    static let fashionFolder = "/usr/share/datasets/fashion-mnist"
    static let fashionInstalled = FileManager.default.fileExists(atPath: fashionFolder + "/train-images-idx3-ubyte.gz")

    /// A locator that sees only ../shared/datasets (and Debian's FashionMNIST folder), whatever the
    /// environment says, so the tests read exactly the reference files.
    static let referenceLocator = DataLocator(
        roots: [sharedDatasets], directFolders: ["fashion_mnist": [fashionFolder]])

    /// Fails the test (never skips) when the MNIST files are absent.
    static func requireMNIST() throws {
        let path = sharedDatasets + "/mnist/train-images-idx3-ubyte.gz"
        try #require(
            FileManager.default.fileExists(atPath: path),
            "MNIST not found at \(path): the tests need ../shared/datasets/mnist beside the repository")
    }

    /// A fresh empty folder under the system temporary directory.
    static func temporaryFolder() throws -> String { try TestPaths.temporaryFolder("gfe-data-tests") }

    static func remove(_ path: String) { try? FileManager.default.removeItem(atPath: path) }

    static func write(_ bytes: [UInt8], to path: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    static func readRaw(_ path: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// Runs `python3 -c script args…` and returns its standard output; fails the test on a non-zero exit.
    @discardableResult
    static func python(_ script: String, _ args: [String] = []) throws -> String {
        try Python.run(script, args)
    }

    /// gzip-compresses `input` into `output` with Python's gzip module (an encoder independent of zlib's
    /// inflate side under test; mtime 0 for reproducible bytes).
    static func gzip(_ input: String, to output: String) throws {
        try python(
            "import gzip,sys; d=open(sys.argv[1],'rb').read(); open(sys.argv[2],'wb').write(gzip.compress(d, mtime=0))",
            [input, output])
    }

    /// An IDX images file: magic 2051, `count`, rows, cols, then `pixels`.
    static func idxImages(count: Int, rows: Int = 28, cols: Int = 28, magic: Int = 2051, pixels: [UInt8]) -> [UInt8] {
        bigEndian(magic) + bigEndian(count) + bigEndian(rows) + bigEndian(cols) + pixels
    }

    /// An IDX labels file: magic 2049, `count`, then `labels`.
    static func idxLabels(count: Int, magic: Int = 2049, labels: [UInt8]) -> [UInt8] {
        bigEndian(magic) + bigEndian(count) + labels
    }

    static func bigEndian(_ v: Int) -> [UInt8] {
        [
            UInt8(truncatingIfNeeded: v >> 24), UInt8(truncatingIfNeeded: v >> 16),
            UInt8(truncatingIfNeeded: v >> 8), UInt8(truncatingIfNeeded: v)
        ]
    }

    /// Catches the `DataError` that `body` must throw.
    static func dataError(_ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) throws
        -> DataError
    {
        do {
            try body()
        } catch let e as DataError {
            return e
        }
        Issue.record("expected a DataError, nothing was thrown", sourceLocation: sourceLocation)
        throw DataError(.badArgument, "no error")
    }
}
