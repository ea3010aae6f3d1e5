import GFECore
import GFESolvers
import Testing

@testable import GFETraining

/// SPEC §7 evaluations: grouped, chunked and threaded solving gives every image bitwise the numbers of
/// solving its batch alone; the AE loss matches a Double recomputation.
@Suite struct EvaluationTests {
    /// Batch i solved on its own: z₀ = rows of one uniform draw from stream "eval-z0" taken batch after
    /// batch, a fresh encoder and objective.
    static func sequential(
        decoder: MLP<Float>, images: Matrix<Float>, batch: Int, settings: AMDSettings,
        seed: UInt64
    ) throws -> [Encoding<Float>] {
        var rng = RNG(seed: seed, stream: "eval-z0")
        var out: [Encoding<Float>] = []
        for start in stride(from: 0, to: images.rows, by: batch) {
            let r = start..<min(start + batch, images.rows)
            let z0: Matrix<Float> = settings.initialPoint.make(rows: r.count, dim: 20, rng: &rng)
            var objective = DecoderObjective(decoder: decoder, maxBatch: batch)
            var encoder = try LatentEncoder<DecoderObjective<Float>>(.amd(settings))
            var unused = RNG(seed: 0)
            out.append(try encoder.encode(objective: &objective, x: rows(images, r), z0: z0, rng: &unused))
        }
        return out
    }

    @Test func groupedChunkedAndThreadedEqualSequentialBitwise() throws {
        BLAS.setThreads(1)
        let images = try TestData.testImages(44)
        let decoder = TestData.decoder()
        let settings = TestData.shortAMD()
        let batch = 8
        let reference = try Self.sequential(decoder: decoder, images: images, batch: batch, settings: settings, seed: 5)
        #expect(Set(reference.map(\.statistics.accepted)).count > 1, "batches should stop at different times")

        for resources in [
            EvaluationResources(threads: 1, chunkGroups: 1), EvaluationResources(threads: 2, chunkGroups: 2),
            EvaluationResources(threads: 2, chunkGroups: 64), EvaluationResources(threads: 1, chunkGroups: 4)
        ] {
            let e = try Evaluator.encode(
                decoder: decoder, images: images, batchSize: batch, encoder: .amd(settings),
                start: .rule(seed: 5), resources: resources)
            let s = try #require(e.statistics)
            #expect(s.groups.count == 6)
            for (i, part) in reference.enumerated() {
                let r = (i * batch)..<min((i + 1) * batch, images.rows)
                #expect(rows(e.z, r).storage == part.z.storage, "\(resources) batch \(i): z*")
                #expect(Array(e.sampleLoss[r]) == part.statistics.sampleLoss, "\(resources) batch \(i): losses")
                var expected = part.statistics.groups[0]
                expected.rowStart = r.lowerBound
                #expect(s.groups[i] == expected, "\(resources) batch \(i): statistics")
                #expect(Array(s.sampleGradientNorm[r]) == part.statistics.sampleGradientNorm)
            }
            #expect(e.meanLoss == e.sampleLoss.reduce(0, +) / 44)
        }
    }

    /// The reported ℓ at z* is the loss of the returned z*: recomputed in Double from the same weights.
    @Test func reportedLossesAreTheLossesAtZStar() throws {
        BLAS.setThreads(1)
        let images = try TestData.testImages(12)
        let decoder = TestData.decoder(seed: 11)
        let e = try Evaluator.encode(
            decoder: decoder, images: images, batchSize: 5, encoder: .amd(TestData.shortAMD(.paper)),
            start: .rule(seed: 1))
        let logits = decoder.converted(to: Double.self).forward(e.z.converted(to: Double.self))
        let exact = CrossEntropy.losses(logits: logits, targets: images.converted(to: Double.self))
        for i in 0..<12 {
            #expect(abs(e.sampleLoss[i] - exact[i]) <= 2e-6 * exact[i], "image \(i): \(e.sampleLoss[i]) vs \(exact[i])")
        }
        // The paper preset starts at z = 0: z* differs from 0 after the solve.
        #expect(e.z.storage.contains { $0 != 0 })
    }

    @Test func autoencoderLossMatchesDoubleAndIgnoresThreads() throws {
        BLAS.setThreads(1)
        let images = try TestData.testImages(300)  // two chunks of 256 rows
        let ae = AutoencoderObjective<Float>(seed: 3, maxBatch: 1)
        let one = try Evaluator.autoencoder(
            encoder: ae.encoder, decoder: ae.decoder, images: images,
            resources: EvaluationResources(threads: 1))
        let two = try Evaluator.autoencoder(
            encoder: ae.encoder, decoder: ae.decoder, images: images,
            resources: EvaluationResources(threads: 2))
        #expect(one.sampleLoss == two.sampleLoss)
        #expect(one.z.storage == two.z.storage)
        let x = images.converted(to: Double.self)
        let codes = ae.encoder.converted(to: Double.self).forward(x)
        let exact = CrossEntropy.losses(logits: ae.decoder.converted(to: Double.self).forward(codes), targets: x)
        for i in 0..<300 {
            #expect(abs(one.sampleLoss[i] - exact[i]) <= 1e-5 * exact[i], "image \(i)")
        }
        #expect(abs(one.meanLoss - exact.reduce(0, +) / 300) <= 1e-6)
    }

    @Test func aeDecoderAMDUsesOnlyTheDecoder() throws {
        BLAS.setThreads(1)
        let images = try TestData.testImages(20)
        let ae = AutoencoderObjective<Float>(seed: 4, maxBatch: 1)
        let model = TrainedModel(method: .ae, decoder: ae.decoder, encoder: ae.encoder)
        let settings = EncoderSettings.amd(TestData.shortAMD())
        let e = try model.evaluate(
            .aeDecoderAMD, images: images, batchSize: 16, encoder: settings, start: .rule(seed: 9))
        let direct = try Evaluator.encode(
            decoder: ae.decoder, images: images, batchSize: 16, encoder: settings,
            start: .rule(seed: 9))
        #expect(e.kind == .aeDecoderAMD)
        #expect(e.sampleLoss == direct.sampleLoss && e.z.storage == direct.z.storage)
        #expect(e.sampleLoss.allSatisfy(\.isFinite) && e.statistics?.groups.count == 2)
        // A GFE model has no encoder network, and an AE is not evaluated as a GFE model.
        let gfe = TrainedModel(method: .gfe, decoder: ae.decoder)
        #expect(throws: GFEError.self) {
            try gfe.evaluate(.ae, images: images, batchSize: 16, encoder: settings, start: .rule(seed: 0))
        }
        #expect(throws: GFEError.self) {
            try model.evaluate(.gfe, images: images, batchSize: 16, encoder: settings, start: .rule(seed: 0))
        }
    }

    /// The fixed-grid encoder starts at 0 by itself (no z₀ is drawn) and evaluates like the others.
    @Test func fixedGridEvaluationIsThreadIndependent() throws {
        BLAS.setThreads(1)
        let images = try TestData.testImages(10)
        var s = FixedGridSettings()
        s.points = 4
        let decoder = TestData.decoder()
        let a = try Evaluator.encode(
            decoder: decoder, images: images, batchSize: 3, encoder: .fixedGrid(s),
            start: .rule(seed: 1), resources: EvaluationResources(threads: 2, chunkGroups: 1))
        let b = try Evaluator.encode(
            decoder: decoder, images: images, batchSize: 3, encoder: .fixedGrid(s),
            start: .rule(seed: 2), resources: EvaluationResources(threads: 1, chunkGroups: 8))
        #expect(a.z.storage == b.z.storage && a.sampleLoss == b.sampleLoss)
        #expect(a.statistics?.groups.count == 4)
        #expect(throws: GFEError.self) {
            try Evaluator.encode(
                decoder: decoder, images: images, batchSize: 3, encoder: .fixedGrid(s),
                start: .given(Matrix(rows: 10, cols: 20)))
        }
    }
}
