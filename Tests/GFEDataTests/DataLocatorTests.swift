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
        // A folder with the file's name is not the file, and not a reason to take the file from elsewhere.
        try FileManager.default.createDirectory(
            atPath: a + "/mnist/t10k-images-idx3-ubyte", withIntermediateDirectories: true)
        try TestFiles.write([1], to: b + "/mnist/t10k-images-idx3-ubyte.gz")
        let folder = #expect(throws: DataError.self) { try loc.locate(.testImages, for: .mnist) }
        #expect(folder?.message.contains(a + "/mnist/t10k-images-idx3-ubyte is not a regular file") == true)
    }

    /// Entries that are there but broken are errors naming them; a dataset folder in GFE_DATA_DIR must hold
    /// every file (issue 13: each of these used to fall back to ../shared/datasets silently).
    @Test func nothingIsSubstitutedSilently() throws {
        let named = try TestFiles.temporaryFolder()
        let later = try TestFiles.temporaryFolder()
        defer {
            TestFiles.remove(named)
            TestFiles.remove(later)
        }
        for dir in [named, later] {
            try FileManager.default.createDirectory(atPath: dir + "/mnist", withIntermediateDirectories: true)
            for file in SourceFile.allCases { try TestFiles.write([1], to: dir + "/mnist/" + file.fileName) }
        }
        let loc = DataLocator.standard(environment: ["GFE_DATA_DIR": named], currentDirectory: later + "/..")
        let withLater = DataLocator(roots: [named, later], namedRoots: [named])
        #expect(try withLater.locate(.trainImages, for: .mnist) == named + "/mnist/train-images-idx3-ubyte")
        #expect(loc.namedRoots == [named])
        // A file missing from the named folder: an error, not the later folder's copy.
        try FileManager.default.removeItem(atPath: named + "/mnist/train-labels-idx1-ubyte")
        let missing = #expect(throws: DataError.self) { try withLater.locate(.trainLabels, for: .mnist) }
        #expect(missing?.message.contains("is not in \(named)/mnist/, the folder GFE_DATA_DIR names") == true)
        // The same folder as an ordinary root falls through to the next one.
        #expect(
            try DataLocator(roots: [named, later]).locate(.trainLabels, for: .mnist)
                == later + "/mnist/train-labels-idx1-ubyte")
        // A dangling symbolic link and a loop of links: errors naming the entry.
        let images = named + "/mnist/t10k-images-idx3-ubyte"
        try FileManager.default.removeItem(atPath: images)
        try FileManager.default.createSymbolicLink(atPath: images, withDestinationPath: named + "/nowhere")
        let dangling = #expect(throws: DataError.self) { try withLater.locate(.testImages, for: .mnist) }
        #expect(dangling?.message.contains("\(images) is a symbolic link that leads nowhere") == true)
        let labels = named + "/mnist/t10k-labels-idx1-ubyte"
        try FileManager.default.removeItem(atPath: labels)
        try FileManager.default.createSymbolicLink(atPath: labels, withDestinationPath: labels)
        let loop = #expect(throws: DataError.self) { try withLater.locate(.testLabels, for: .mnist) }
        #expect(loop?.message.contains("Too many levels of symbolic links") == true, "\(loop?.message ?? "")")
        // A named root without the dataset's folder is no claim about that dataset: the search goes on.
        try FileManager.default.createDirectory(atPath: later + "/fashion_mnist", withIntermediateDirectories: true)
        try TestFiles.write([1], to: later + "/fashion_mnist/train-images-idx3-ubyte")
        #expect(
            try withLater.locate(.trainImages, for: .fashionMNIST) == later + "/fashion_mnist/train-images-idx3-ubyte")
    }

    @Test func normalisedPaths() {
        #expect(DataLocator.normalised("/a/b/../c/./d/") == "/a/c/d")
        #expect(DataLocator.normalised("/..") == "/")
        #expect(DataLocator.normalised("a/../../b") == "../b")
        #expect(DataLocator.normalised("./") == ".")
    }
}
