import Foundation
import GFECore
import GFEStore
import GFETestSupport
import Testing

@testable import GFEData

/// A user's data from files (`FileDataset`): shapes, scaling, labels, the three split rules, the fingerprint,
/// and every error a user can hit, each naming the file and array.
@Suite struct FileDatasetTests {
    /// An HDF5 file at `path` with the given datasets.
    static func hdf5(_ path: String, _ body: (HDF5File) throws -> Void) throws {
        try HDF5File.write(to: path, truncating: true) { try body($0) }
    }

    /// `n` samples of shape `shape` with value i·0.001 at flat index i, in [0, 1) for n·size ≤ 1000.
    static func ramp(_ n: Int, _ shape: [Int]) -> [Float] {
        (0..<(n * shape.reduce(1, *))).map { Float($0) * 0.001 }
    }

    @Test func hdf5SamplesKeepTheirShapeAndLabels() throws {
        try TestPaths.withTemporaryFolder { dir in
            let path = dir + "/d.h5"
            try Self.hdf5(path) { f in
                try f.write(Self.ramp(10, [4, 3]), shape: [10, 4, 3], to: "x")
                try f.write((0..<10).map { Int64($0 % 3) }, to: "y")
            }
            let source = FileDataSource(
                samples: ArrayReference(path: path, array: "x"), labels: ArrayReference(path: path, array: "/y"),
                split: .ranges(train: 0..<7, test: 7..<10), validationCount: 2)
            let d = try FileDataset.load(source)
            #expect(d.sampleShape == [4, 3] && d.sampleSize == 12 && d.isImageShaped && d.hasLabels)
            #expect(d.splits == [.train, .validation, .test])
            let train = try d.split(.train, seed: 1)
            let validation = try d.split(.validation, seed: 1)
            let test = try d.split(.test, seed: 1)
            #expect(train.originalIndices == [0, 1, 2, 3, 4] && validation.originalIndices == [5, 6])
            #expect(test.originalIndices == [7, 8, 9] && test.labels == [1, 2, 0])
            var m = Matrix<Float>(rows: 3, cols: 12)
            test.gather(0..<3, into: &m)
            #expect(m.row(0) == (84..<96).map { Float($0) * 0.001 })
            #expect(try d.split(.train, seed: 1, limit: 2).originalIndices == [0, 1])
            #expect(d.valueRange == 0...Float(119) * 0.001)
            #expect(d.fingerprint == "files/file-split-v1/" + (try Checksum.sha256(file: path)))
        }
    }

    /// Bytes scaled by 255 give exactly MNIST's pixel values (`Float(byte) / 255`), so a user's copy of a
    /// built-in dataset trains on the same numbers.
    @Test func bytesOver255AreMNISTPixels() throws {
        try TestPaths.withTemporaryFolder { dir in
            let path = dir + "/bytes.h5"
            let bytes = (0..<512).map { UInt8($0 % 256) }
            try Self.hdf5(path) { try $0.write(bytes, shape: [2, 16, 16], to: "images") }
            let d = try FileDataset.load(
                FileDataSource(
                    samples: ArrayReference(path: path), split: .ranges(train: 0..<1, test: 1..<2), scale: 255))
            var m = Matrix<Float>(rows: 1, cols: 256)
            try d.split(.train, seed: 0).gather(0..<1, into: &m)
            #expect(m.storage == (0..<256).map { Float(UInt8($0)) / 255 })
            #expect(d.valueRange == 0...1)
        }
    }

    @Test func testFractionIsASeededPartition() throws {
        try TestPaths.withTemporaryFolder { dir in
            let path = dir + "/v.h5"
            try Self.hdf5(path) { try $0.write(Self.ramp(50, [3]), shape: [50, 3], to: "x") }
            let d = try FileDataset.load(
                FileDataSource(samples: ArrayReference(path: path), split: .testFraction(0.2), validationCount: 5))
            #expect(!d.isImageShaped && !d.hasLabels)
            for seed: UInt64 in [1, 2] {
                let train = try d.split(.train, seed: seed).originalIndices
                let validation = try d.split(.validation, seed: seed).originalIndices
                let test = try d.split(.test, seed: seed).originalIndices
                #expect(train.count == 35 && validation.count == 5 && test.count == 10)
                #expect(test == test.sorted())
                #expect(Set(train + validation + test) == Set(0..<50))
                var rng = RNG(seed: seed, stream: "split")
                #expect(Array(rng.permutation(50).prefix(35)) == train)
            }
            #expect(try d.split(.test, seed: 1).originalIndices != d.split(.test, seed: 2).originalIndices)
        }
    }

    @Test func testArraysComeFromTheirOwnFile() throws {
        try TestPaths.withTemporaryFolder { dir in
            let (trainPath, testPath) = (dir + "/train.h5", dir + "/test.h5")
            try Self.hdf5(trainPath) { f in
                try f.write(Self.ramp(6, [2]), shape: [6, 2], to: "x")
                try f.write([Float](repeating: 1, count: 6), to: "y")
            }
            try Self.hdf5(testPath) { f in
                try f.write([Float](repeating: 2, count: 8), shape: [4, 2], to: "x")
                try f.write([Float](repeating: 4, count: 4), to: "y")
            }
            let source = FileDataSource(
                samples: ArrayReference(path: trainPath, array: "x"),
                labels: ArrayReference(path: trainPath, array: "y"),
                testSamples: ArrayReference(path: testPath, array: "x"),
                testLabels: ArrayReference(path: testPath, array: "y"), split: .testArrays)
            let d = try FileDataset.load(source)
            let test = try d.split(.test, seed: 0)
            #expect(test.count == 4 && test.labels == [4, 4, 4, 4] && test.samples.sample(3, as: Float.self) == [2, 2])
            #expect(try d.split(.train, seed: 0).count == 6)
            #expect(d.valueRange == 0...2)
            #expect(d.fingerprint.components(separatedBy: ",").count == 2)  // both files
        }
    }

    /// Every mistake in a user's data is a `DataError` naming the file, the array and what is wrong.
    @Test func badDataIsNamed() throws {
        try TestPaths.withTemporaryFolder { dir in
            let path = dir + "/bad.h5"
            try Self.hdf5(path) { f in
                try f.write(Self.ramp(4, [2]), shape: [4, 2], to: "x")
                try f.write(Self.ramp(4, [1]), shape: [4], to: "vector")
                try f.write([Float](), shape: [0, 3], to: "empty")
                try f.write([Float](), shape: [3, 0], to: "zeroSize")
                try f.write([1, .nan, 0, 0], shape: [2, 2], to: "nan")
                try f.write([Int64(0), 1, 2], to: "threeLabels")
                try f.write([Float(0), 1.5, 2, 3], to: "fractionalLabels")
                try f.write([Int64(0), -1, 2, 3], to: "negativeLabels")
                try f.write(Self.ramp(2, [3]), shape: [2, 3], to: "wide")
            }
            func failure(
                _ samples: String, labels: String? = nil, test: String? = nil, split: FileDataSource.Split? = nil,
                sha256: [String: String] = [:], file: String? = nil
            ) throws -> DataError {
                let f = file ?? path
                let source = FileDataSource(
                    samples: ArrayReference(path: f, array: samples),
                    labels: labels.map { ArrayReference(path: f, array: $0) },
                    testSamples: test.map { ArrayReference(path: f, array: $0) },
                    split: split ?? (test == nil ? .testFraction(0.5) : .testArrays), sha256: sha256)
                return try TestFiles.dataError { _ = try FileDataset.load(source) }
            }
            let missing = try failure("x", file: dir + "/nothing.h5")
            #expect(missing.kind == .missingFile && missing.message.contains("nothing.h5 does not exist"))
            let noArray = try failure("xx")
            #expect(noArray.kind == .missingArray && noArray.message.contains("no dataset 'xx'"))
            #expect(noArray.message.contains("did you mean") && noArray.message.contains("/x"))
            #expect(try failure("vector").message.contains("at least two dimensions"))
            #expect(try failure("empty").message.contains("holds no samples"))
            #expect(try failure("zeroSize").message.contains("samples of zero size"))
            let nan = try failure("nan")
            #expect(nan.kind == .badValues && nan.message.contains("bad.h5:nan: value nan at [0, 1] is not finite"))
            let count = try failure("x", labels: "threeLabels")
            #expect(
                count.kind == .wrongCount && count.message.contains("hold 3 labels, but")
                    && count.message.contains("4 samples"))
            #expect(
                try failure("x", labels: "fractionalLabels").message.contains(
                    "label 1.5 at index 1 is not a class number"))
            #expect(try failure("x", labels: "negativeLabels").kind == .badLabel)
            let shape = try failure("x", test: "wide")
            #expect(
                shape.kind == .badShape && shape.message.contains("have shape [3] each")
                    && shape.message.contains("[2]"))
            let onlyTrain = try failure("x", labels: "fractionalLabels", test: "x")
            #expect(onlyTrain.kind == .badLabel)  // labels are read before the test samples are compared
            let sha = try failure("x", sha256: [path: String(repeating: "0", count: 64)])
            #expect(sha.kind == .checksumMismatch && sha.message.contains("SHA-256 is ") && sha.message.contains(path))
            let ranges = try failure("x", split: .ranges(train: 0..<3, test: 2..<4))
            #expect(ranges.message.contains("overlap"))
            #expect(try failure("x", split: .ranges(train: 0..<2, test: 2..<5)).message.contains("holds 4 samples"))
            let foreign = dir + "/notes.txt"
            try "hello".write(toFile: foreign, atomically: true, encoding: .utf8)
            let notData = try failure("x", file: foreign)
            #expect(notData.message.contains("neither HDF5, NumPy (.npy, .npz) nor IDX"))
        }
    }

    /// The cache reads a file again when it changes, so a changed file gives a new fingerprint.
    @Test func changedFilesAreReadAgain() throws {
        try TestPaths.withTemporaryFolder { dir in
            let path = dir + "/c.h5"
            try Self.hdf5(path) { try $0.write(Self.ramp(4, [2]), shape: [4, 2], to: "x") }
            let source = FileDataSource(samples: ArrayReference(path: path), split: .testFraction(0.25))
            let first = try FileDatasetCache.shared.dataset(source)
            #expect(try FileDatasetCache.shared.dataset(source).fingerprint == first.fingerprint)
            Thread.sleep(forTimeInterval: 0.01)
            try Self.hdf5(path) { try $0.write(Self.ramp(5, [2]), shape: [5, 2], to: "x") }
            let second = try FileDatasetCache.shared.dataset(source)
            #expect(second.fingerprint != first.fingerprint)
            #expect(try second.split(.train, seed: 0).count == 4)  // 5 samples, round(0.25 · 5) = 1 for test
        }
    }

    /// `.npy` samples with IDX labels: each format through the same `data` fields; a name for a one-array file
    /// is refused.
    @Test func npyAndIDXFiles() throws {
        try TestPaths.withTemporaryFolder { dir in
            // [3, 2] uint8 samples and three IDX ubyte labels.
            let samples = try NumPyFileTests.write(
                NumPyFileTests.npy(
                    "{'descr': '|u1', 'fortran_order': False, 'shape': (3, 2), }", [0, 51, 102, 153, 204, 255]),
                dir, "x.npy")
            let labels = dir + "/y.idx"
            try TestFiles.write(IDXArrayTests.idx(0x08, [3], [2, 0, 1]), to: labels)
            let d = try FileDataset.load(
                FileDataSource(
                    samples: ArrayReference(path: samples), labels: ArrayReference(path: labels),
                    split: .ranges(train: 0..<2, test: 2..<3), scale: 255))
            let test = try d.split(.test, seed: 0)
            #expect(test.labels == [1] && test.samples.sample(2, as: Float.self) == [Float(204) / 255, 1])
            #expect(!d.isImageShaped && d.sampleShape == [2])
            let named = try TestFiles.dataError {
                _ = try FileDataset.load(
                    FileDataSource(samples: ArrayReference(path: samples, array: "x"), split: .testFraction(0.5)))
            }
            #expect(named.message.contains("a .npy file, which holds one array: remove the array name 'x'"))
        }
    }
}
