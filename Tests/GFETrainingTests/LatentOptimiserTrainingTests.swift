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
