import GFECore
import Testing

@testable import GFEData

@Suite struct BatchingTests {
    /// Draws `epochs` epochs' worth of batches.
    func epochs(_ s: inout EpochSampler, _ epochs: Int) -> [[[Int]]] {
        (0..<epochs).map { _ in (0..<s.batchesPerEpoch).map { _ in s.nextBatch() } }
    }

    @Test func everyIndexOncePerEpochWithPartialLastBatch() throws {
        var s = try EpochSampler(count: 10, batchSize: 3, seed: 4)
        #expect(s.batchesPerEpoch == 4)
        for (e, batches) in epochs(&s, 3).enumerated() {
            #expect(batches.map(\.count) == [3, 3, 3, 1], "epoch \(e)")
            #expect(batches.flatMap { $0 }.sorted() == Array(0..<10), "epoch \(e)")
        }
        #expect(s.iteration == 12)
        #expect(s.imagesSeen == 30)  // actual images: the partial batches add 1 each
        #expect(s.epochsStarted == 3)
    }

    @Test func imagesSeenIsIterationsTimesBatchWhileBatchesAreFull() throws {
        var s = try EpochSampler(count: 49_992, batchSize: 16, seed: 0)
        for _ in 0..<360 { _ = s.nextBatch() }
        #expect(s.imagesSeen == 360 * 16)
        #expect(s.epochsStarted == 1)
    }

    @Test func reshufflesEachEpochFromOneContinuingGenerator() throws {
        var s = try EpochSampler(count: 50, batchSize: 7, seed: 11)
        let drawn = epochs(&s, 3).map { $0.flatMap { $0 } }
        #expect(drawn[0] != drawn[1] && drawn[1] != drawn[2])
        // The documented rule: epoch k's order is the k-th permutation drawn from RNG(seed, "shuffle").
        var rng = RNG(seed: 11, stream: "shuffle")
        for k in 0..<3 { #expect(drawn[k] == rng.permutation(50)) }
    }

    @Test func deterministicPerSeedAndDifferentAcrossSeeds() throws {
        var a = try EpochSampler(count: 100, batchSize: 16, seed: 5)
        var b = try EpochSampler(count: 100, batchSize: 16, seed: 5)
        var c = try EpochSampler(count: 100, batchSize: 16, seed: 6)
        let (ea, eb, ec) = (epochs(&a, 2), epochs(&b, 2), epochs(&c, 2))
        #expect(ea == eb)
        #expect(ea != ec)
    }

    @Test func batchLargerThanTheSetAndReuseOfTheBuffer() throws {
        var s = try EpochSampler(count: 5, batchSize: 8, seed: 1)
        var batch: [Int] = []
        batch.reserveCapacity(8)
        s.nextBatch(into: &batch)
        #expect(batch.sorted() == Array(0..<5))
        s.nextBatch(into: &batch)
        #expect(batch.sorted() == Array(0..<5))
        #expect(s.epochsStarted == 2 && s.imagesSeen == 10)
    }

    @Test func badArguments() throws {
        let e1 = try TestFiles.dataError { _ = try EpochSampler(count: 10, batchSize: 0, seed: 0) }
        #expect(e1.message == "batch size must be at least 1, got 0.")
        let e2 = try TestFiles.dataError { _ = try EpochSampler(count: 0, batchSize: 4, seed: 0) }
        #expect(e2.kind == .badArgument)
        let e3 = try TestFiles.dataError { _ = try InOrderBatches(count: 10, batchSize: -1) }
        #expect(e3.kind == .badArgument)
    }

    @Test func inOrderBatches() throws {
        let b = try InOrderBatches(count: 10, batchSize: 4)
        #expect(Array(b) == [0..<4, 4..<8, 8..<10])
        #expect(b.batchCount == 3)
        #expect(Array(try InOrderBatches(count: 8, batchSize: 4)) == [0..<4, 4..<8])
        #expect(Array(try InOrderBatches(count: 0, batchSize: 4)).isEmpty)
    }
}
