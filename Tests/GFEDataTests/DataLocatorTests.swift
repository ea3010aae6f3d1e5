import Foundation
import GFETestSupport
import Testing

@testable import GFEData

@Suite struct DataLocatorTests {
    @Test func standardSearchOrder() {
        let repo = TestPaths.repositoryRoot
        let loc = DataLocator.standard(environment: ["GFE_DATA_DIR": "/data/x/"], currentDirectory: repo + "/Sources")
        let shared = DataLocator.normalised(repo + "/../shared/datasets")
        #expect(
            loc.directories(for: .fashionMNIST) == [
                "/data/x/fashion_mnist",
                repo + "/data/fashion_mnist",
                repo + "/shared/datasets/fashion_mnist",  // <cwd>/../shared/datasets with cwd = <repo>/Sources
                shared + "/fashion_mnist",
                "/usr/share/datasets/fashion-mnist"
            ])
        // segmented_mnist reads the MNIST folders; no environment variable: that root is absent.
        let plain = DataLocator.standard(environment: [:], currentDirectory: repo)
        #expect(plain.directories(for: .segmentedMNIST) == [repo + "/data/mnist", shared + "/mnist"])
    }

    @Test func plainFileWinsOverGzipAndEarlierFolderWins() throws {
        let a = try TestFiles.temporaryFolder()
        let b = try TestFiles.temporaryFolder()
        defer {
            TestFiles.remove(a)
            TestFiles.remove(b)
        }
        for dir in [a, b] {
            try FileManager.default.createDirectory(atPath: dir + "/mnist", withIntermediateDirectories: true)
        }
        try TestFiles.write([1], to: b + "/mnist/train-images-idx3-ubyte")
        try TestFiles.write([1], to: a + "/mnist/train-images-idx3-ubyte.gz")
        let loc = DataLocator(roots: [a, b])
        #expect(try loc.locate(.trainImages, for: .mnist) == a + "/mnist/train-images-idx3-ubyte.gz")
        try TestFiles.write([1], to: a + "/mnist/train-images-idx3-ubyte")
        #expect(try loc.locate(.trainImages, for: .mnist) == a + "/mnist/train-images-idx3-ubyte")
        // A folder with the file's name is not the file.
        try FileManager.default.createDirectory(
            atPath: a + "/mnist/t10k-images-idx3-ubyte", withIntermediateDirectories: true)
        try TestFiles.write([1], to: b + "/mnist/t10k-images-idx3-ubyte.gz")
        #expect(try loc.locate(.testImages, for: .mnist) == b + "/mnist/t10k-images-idx3-ubyte.gz")
    }

    @Test func normalisedPaths() {
        #expect(DataLocator.normalised("/a/b/../c/./d/") == "/a/c/d")
        #expect(DataLocator.normalised("/..") == "/")
        #expect(DataLocator.normalised("a/../../b") == "../b")
        #expect(DataLocator.normalised("./") == ".")
    }
}
