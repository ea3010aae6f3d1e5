import GFECore
import GFEData
import GFESolvers
import Testing

@testable import GFETraining

/// GFE trained and evaluated with a latent optimiser as its encoder (`adam`, `gd`): the whole pipeline takes
/// it from the configuration, each solve costs steps + 1 decoder passes, and the numbers are deterministic.
@Suite struct LatentOptimiserTrainingTests {
    @Test(arguments: [#"{"method": "adam", "lr": 0.05, "steps": 8}"#, #"{"method": "gd", "lr": 2, "steps": 8}"#])
    func gfeTrainsAndEvaluatesWithIt(_ encoder: String) throws {
        let c = try ConfigTests.decode(
            #"{"encoder": \#(encoder), "budget": {"iterations": 4}, "checkpoints": {"imagesSeen": [64]}, "#
                + #""data": {"trainLimit": 64, "testLimit": 32}}"#)
        #expect(c.encoder.method.rawValue == (encoder.contains("adam") ? "adam" : "gd"))
        let data = try TrainingData.cut(try TestData.mnist(), c)
        let a = try Trainer.run(c, data: data)
        let b = try Trainer.run(c, data: data)
        #expect(a.iterations.map(\.loss) == b.iterations.map(\.loss))
        #expect(a.iterations.allSatisfy { $0.loss.isFinite })
        let evaluation = try #require(a.checkpoints.last?.evaluation(.gfe))
        #expect(evaluation.count == 32 && evaluation.meanLoss.isFinite)
        let statistics = try #require(evaluation.statistics)
        // Two evaluation batches of 16, each one group: 9 objective evaluations (8 steps and z*) per group.
        #expect(statistics.groups.map(\.evaluations) == [9, 9])
        #expect(statistics.groups.allSatisfy { $0.finalTime == 8 && $0.result == .reachedTau })
    }
}

/// Amortised + refinement (`aeRefined`): the configured encoder starts from the AE's codes E(x); its cost
/// counts the encoder's pass too. With AMD it never ends above D(E(x)), whose z it starts from.
@Suite struct RefinedEvaluationTests {
    @Test func refinementStartsFromTheCodesAndCountsTheirCost() throws {
        let x = try TrainingData.cut(
            try TestData.mnist(), ConfigTests.decode(#"{"method": "ae", "data": {"testLimit": 32}}"#)
        ).evaluation.imageMatrix()
        let ae = AutoencoderObjective<Float>(seed: 7, maxBatch: 1)
        let model = TrainedModel(method: .ae, decoder: ae.decoder, encoder: ae.encoder)
        let codes = try model.evaluate(.ae, images: x, batchSize: 16, encoder: .amd(.official), start: .rule(seed: 1))
        #expect(codes.forwardPasses == 1 && codes.backwardPasses == 0 && codes.cpuSeconds > 0)
        // One tiny gradient step from E(x): z* = E(x) − 1e-6·∇ℓ, so ℓ barely moves from the AE's.
        let step = EncoderSettings.latentOptimiser(LatentOptimiserSettings(rule: .gd, lr: 1e-6, steps: 1))
        let nudged = try model.evaluate(.aeRefined, images: x, batchSize: 16, encoder: step, start: .rule(seed: 1))
        #expect(nudged.kind == .aeRefined && abs(nudged.meanLoss - codes.meanLoss) < 1e-5)
        #expect(zip(nudged.z.storage, codes.z.storage).allSatisfy { abs($0 - $1) < 1e-4 })
        // Cost: the encoder's forward pass, then two evaluations (before the step and at z*).
        #expect(nudged.forwardPasses == 3 && nudged.backwardPasses == 2)
        let amd = try model.evaluate(
            .aeRefined, images: x, batchSize: 16, encoder: .amd(.official), start: .rule(seed: 1))
        #expect(amd.meanLoss < codes.meanLoss)
        #expect(throws: GFEError.self) {
            _ = try model.evaluate(
                .aeRefined, images: x, batchSize: 16, encoder: .fixedGrid(FixedGridSettings()), start: .rule(seed: 1))
        }
    }
}
