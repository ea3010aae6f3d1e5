import GFECore
import Testing

@testable import GFEData

/// The real MNIST files from ../shared/datasets/mnist (absent ⇒ failure, not a skip). Reference values:
/// SOURCE.md there (label counts) and a Python decode of the same files (pixel sums, single pixels).
@Suite struct MNISTTests {
    static let trainCounts = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    static let testCounts = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]

    func load(_ id: DatasetID = .mnist) throws -> Dataset {
        try TestFiles.requireMNIST()
        return try Dataset.load(id, locator: TestFiles.referenceLocator)
    }

    func counts(_ file: IDXFile) -> [Int] {
        var c = [Int](repeating: 0, count: 10)
        for i in 0..<file.count { c[Int(file.label(i))] += 1 }
        return c
    }

    @Test func filesValidateAndLabelCountsMatch() throws {
        let d = try load()
        #expect(counts(d.trainLabels) == MNISTTests.trainCounts)
        #expect(counts(d.testLabels) == MNISTTests.testCounts)
        #expect(d.trainImages.sha256 == "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db")
        #expect(
            d.fingerprint.hasPrefix("mnist/split-v1/ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db,"))
        #expect(d.trainImages.path.hasSuffix("mnist/train-images-idx3-ubyte.gz"))
    }

    @Test func splitSizes() throws {
        let d = try load()
        #expect(try d.split(.train, seed: 1).count == 49_992)
        #expect(try d.split(.validation, seed: 1).count == 8)
        #expect(try d.split(.test, seed: 1).count == 10_000)
        #expect(try d.split(.holdout, seed: 1).count == 10_000)
        let test = try d.split(.test, seed: 1)
        #expect(test.originalIndices == Array(0..<10_000))
        #expect(test.labelCounts == MNISTTests.testCounts)
        #expect(test.sampleShape == [28, 28])
        let holdout = try d.split(.holdout, seed: 1)
        #expect(holdout.originalIndices == Array(50_000..<60_000))
        #expect(
            holdout.samples.sample(holdout.originalIndices[0], as: Float.self)
                == d.trainImages.item(50_000).map { Float($0) / 255 })
    }

    @Test func trainAndValidationPartitionTheFirst50000() throws {
        let d = try load()
        for seed: UInt64 in [0, 1, 12345] {
            let train = try d.split(.train, seed: seed)
            let validation = try d.split(.validation, seed: seed)
            let t = Set(train.originalIndices)
            let v = Set(validation.originalIndices)
            #expect(t.count == 49_992 && v.count == 8)
            #expect(t.isDisjoint(with: v))
            #expect(t.union(v) == Set(0..<50_000))
            // The rule of SPEC §1 through the project's generator.
            var rng = RNG(seed: seed, stream: "split")
            let permutation = rng.permutation(50_000)
            #expect(validation.originalIndices == Array(permutation[49_992...]))
            #expect(train.originalIndices == Array(permutation[..<49_992]))
            // Labels follow their images.
            #expect(train.labels?[7] == d.trainLabels.label(train.originalIndices[7]))
        }
    }

    @Test func splitIsDeterministicPerSeedAndDiffersAcrossSeeds() throws {
        let d = try load()
        let a = try d.split(.validation, seed: 7)
        let b = try d.split(.validation, seed: 7)
        let c = try d.split(.validation, seed: 8)
        #expect(a.originalIndices == b.originalIndices)
        #expect(a.originalIndices != c.originalIndices)
        #expect(
            try d.split(.train, seed: 7).originalIndices.prefix(100)
                != d.split(.train, seed: 8).originalIndices.prefix(100))
    }

    /// The registry's split sizes (known before any file is read) are those of the loaded splits.
    @Test(arguments: [DatasetID.mnist, .segmentedMNIST])
    func registrySplitSizesAreTheLoadedOnes(id: DatasetID) throws {
        let d = try load(id)
        for split in SplitName.allCases {
            guard id.splits.contains(split) else {
                #expect(id.size(of: split) == nil)
                continue
            }
            #expect(id.size(of: split) == (try d.split(split, seed: 3)).count, "\(id.name) \(split.rawValue)")
        }
    }

    @Test func segmentedMNIST() throws {
        let d = try load(.segmentedMNIST)
        let train = try d.split(.train, seed: 0)
        let test = try d.split(.test, seed: 99)
        #expect(train.count == 30_596)
        #expect(test.count == 4_861)
        #expect(Set(train.labels!) == Set(0...4))
        #expect(Set(test.labels!) == Set(5...9))
        #expect(train.labelCounts == Array(MNISTTests.trainCounts[0..<5]) + [0, 0, 0, 0, 0])
        #expect(test.labelCounts == [0, 0, 0, 0, 0] + Array(MNISTTests.testCounts[5..<10]))
        #expect(train.originalIndices == train.originalIndices.sorted())  // file order
        #expect(train.originalIndices.first == 1)  // image 0 is a 5, image 1 a 0
        #expect(try d.split(.train, seed: 1).originalIndices == train.originalIndices)  // seed unused
        let e = try TestFiles.dataError { _ = try d.split(.validation, seed: 0) }
        #expect(e.kind == .unknownSplit)
        #expect(e.message.contains("segmented_mnist has no validation split"))
        #expect(e.message.contains("valid splits: train, test"))
    }

    @Test func pixelsAreBytesOver255() throws {
        let d = try load()
        let test = try d.split(.test, seed: 0)
        let holdout = try d.split(.holdout, seed: 0)
        var m = Matrix<Float>(rows: 4, cols: 784)
        test.gather([0, 9_999], into: &m)  // test images 0 and 9999
        #expect(m.rows == 2)
        // Sums from Python: test image 0 = 18454, test image 9999 = 41833 (byte sums).
        let sum0 = (0..<784).reduce(0.0) { $0 + Double(m[0, $1]) * 255 }
        let sum1 = (0..<784).reduce(0.0) { $0 + Double(m[1, $1]) * 255 }
        #expect(abs(sum0 - 18_454) < 0.01)
        #expect(abs(sum1 - 41_833) < 0.01)
        #expect(test.labels?[0] == 7 && test.labels?[9_999] == 6)
        holdout.gather([9_999], into: &m)
        // Training image 59999 (label 8): byte sum 20920, first non-zero pixels (184, 38), (185, 48).
        #expect(holdout.labels?[9_999] == 8)
        #expect(m[0, 183] == 0)
        #expect(m[0, 184] == Float(38) / 255)
        #expect(m[0, 185] == Float(48) / 255)
        #expect(abs((0..<784).reduce(0.0) { $0 + Double(m[0, $1]) * 255 } - 20_920) < 0.01)
        #expect((0..<784).allSatisfy { m[0, $0] >= 0 && m[0, $0] <= 1 })
        // Double gather: the same bytes divided in Double.
        var md = Matrix<Double>(rows: 1, cols: 784)
        holdout.gather([9_999], into: &md)
        #expect(md[0, 184] == 38.0 / 255.0)
        // Range gather and whole-matrix agree with the position gather.
        var r = Matrix<Float>(rows: 2, cols: 784)
        test.gather(9_998..<10_000, into: &r)
        test.gather([9_999], into: &m)
        #expect(r.row(1) == m.row(0))
    }

    @Test func gatherReusesPreallocatedStorage() throws {
        let d = try load()
        let test = try d.split(.test, seed: 0)
        var m = Matrix<Float>(rows: 16, cols: 784)
        test.gather(Array(0..<16), into: &m)
        let capacity = m.storage.capacity
        test.gather([3, 4, 5], into: &m)
        #expect(m.rows == 3)
        test.gather(Array(16..<32), into: &m)
        #expect(m.rows == 16)
        #expect(m.storage.capacity == capacity)
    }

    @Test func samplerBatchesGatherEveryImageOncePerEpoch() throws {
        let d = try load()
        let split = try d.split(.train, seed: 2, limit: 40)
        var sampler = try split.sampler(batchSize: 16, seed: 2)
        var m = Matrix<Float>(rows: 16, cols: 784)
        var seen: [Int] = []
        for _ in 0..<sampler.batchesPerEpoch {
            let batch = sampler.nextBatch()
            split.gather(batch, into: &m)
            #expect(m.rows == batch.count)
            for (row, position) in batch.enumerated() {
                #expect(m.row(row) == split.samples.sample(split.originalIndices[position], as: Float.self))
            }
            seen += batch
        }
        #expect(seen.sorted() == Array(0..<40))
        #expect(sampler.imagesSeen == 40)
        #expect(Array(try split.inOrderBatches(batchSize: 16)) == [0..<16, 16..<32, 32..<40])
    }

    @Test func limitTakesTheFirstImages() throws {
        let d = try load()
        let full = try d.split(.train, seed: 3)
        let limited = try d.split(named: "train", seed: 3, limit: 100)
        #expect(limited.count == 100)
        #expect(limited.originalIndices == Array(full.originalIndices.prefix(100)))
        for bad in [0, 49_993] {
            let e = try TestFiles.dataError { _ = try d.split(.train, seed: 3, limit: bad) }
            #expect(e.kind == .badArgument)
            #expect(e.message.contains("limit \(bad)") && e.message.contains("49,992"))
        }
    }

    @Test func unknownNamesSuggestTheNearest() throws {
        let e1 = try TestFiles.dataError { _ = try DatasetID.named("fashion-mnist") }
        #expect(e1.kind == .unknownDataset)
        #expect(
            e1.message == "unknown dataset \"fashion-mnist\" (did you mean \"fashion_mnist\"?); "
                + "valid datasets: mnist, fashion_mnist, segmented_mnist.")
        let e2 = try TestFiles.dataError { _ = try DatasetID.named("cifar10") }
        #expect(!e2.message.contains("did you mean"))
        let e3 = try TestFiles.dataError { _ = try SplitName.named("val", for: .mnist) }
        #expect(
            e3.message == "unknown split \"val\" for dataset mnist (did you mean \"validation\"?); "
                + "valid splits: train, validation, test, holdout.")
        let e4 = try TestFiles.dataError { _ = try SplitName.named("tset", for: .mnist) }
        #expect(e4.message.contains("did you mean \"test\""))
    }
}
