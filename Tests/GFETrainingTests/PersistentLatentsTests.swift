import GFECore
import GFEData
import GFESolvers
import Testing

@testable import GFETraining

/// `persistentLatents: warmStart`: each training sample's solve starts at its last z*, checked step by step
/// against independent one-step encodings; a first epoch computes exactly what a run without the table does.
@Suite struct PersistentLatentsTests {
    /// z* = z₀ − η∇ℓ(z₀) through `decoder`, computed outside the trainee.
    static func oneStep(_ decoder: MLP<Float>, z0: Matrix<Float>, x: Matrix<Float>) -> Matrix<Float> {
        var objective = DecoderObjective(decoder: decoder, maxBatch: x.rows)
        var loss = [Float](repeating: 0, count: x.rows)
        var gradient = Matrix<Float>(rows: x.rows, cols: z0.cols)
        objective.lossAndGradient(z: z0, x: x, loss: &loss, gradient: &gradient)
        var z = z0
        for i in 0..<z.storage.count { z.storage[i] = z0.storage[i] - 1 * gradient.storage[i] }
        return z
    }

    @Test func solvesStartAtEachSamplesLastLatent() throws {
        var c = try ConfigTests.decode(
            #"{"latentDim": 4, "encoder": {"method": "oneStep", "eta": 1}, "persistentLatents": "warmStart", "#
                + #""batchSize": 2}"#)
        c.decoder.hidden = [8]
        let split = try TestData.mnist().split(.test, seed: 0, limit: 4)
        var x = Matrix<Float>(rows: 2, cols: 784)
        split.gather([2, 3], into: &x)
        var trainee = try GFETrainee(config: c, sampleSize: 784, poolCount: 4)
        // First visit: z₀ by the rule (zeros for one step).
        let before = trainee.snapshot.decoder
        _ = try trainee.step(x: x, positions: [2, 3])
        let first = Self.oneStep(before, z0: Matrix(rows: 2, cols: 4), x: x)
        let table = try #require(trainee.latentTable)
        #expect(Array(table.storage[8..<16]) == first.storage)
        #expect(table.storage[0..<8].allSatisfy { $0 == 0 })
        // Second visit: z₀ is the stored z*, through the updated decoder.
        let updated = trainee.snapshot.decoder
        #expect(updated != before)
        _ = try trainee.step(x: x, positions: [2, 3])
        let second = Self.oneStep(updated, z0: first, x: x)
        #expect(Array(trainee.latentTable!.storage[8..<16]) == second.storage)
    }

    /// Every sample is seen once in a first epoch, so the table changes no number until the second.
    @Test func aFirstEpochIsTheRunWithoutTheTable() throws {
        var plain = try ConfigTests.decode(
            #"{"encoder": {"method": "amd", "tau": 60}, "budget": {"epochs": 2}, "data": {"trainLimit": 32, "testLimit": 16}}"#
        )
        plain.checkpoints = CheckpointPlan()
        var warm = plain
        warm.persistentLatents = .warmStart
        let data = try TrainingData.cut(try TestData.mnist(), plain)
        let a = try Trainer.run(plain, data: data)
        let b = try Trainer.run(warm, data: data)
        #expect(a.iterations.count == 4 && b.iterations.count == 4)
        #expect(a.iterations[0..<2].map(\.loss) == b.iterations[0..<2].map(\.loss))
        #expect(a.iterations[2..<4].map(\.loss) != b.iterations[2..<4].map(\.loss))
    }

    @Test func configuration() throws {
        let warm = try ConfigTests.decode(#"{"persistentLatents": "warmStart"}"#)
        #expect(try warm.json().contains(#""persistentLatents":"warmStart""#))
        #expect(try !ConfigTests.decode("{}").json().contains("persistentLatents"))
        #expect(ConfigTests.failure(#"{"method": "ae", "persistentLatents": "warmStart"}"#).contains("'gfe' only"))
        #expect(
            ConfigTests.failure(#"{"persistentLatents": "warmStart", "encoder": {"method": "fixedGrid"}}"#)
                .contains("always starts at z = 0"))
        #expect(ConfigTests.failure(#"{"persistentLatents": "warm"}"#).contains(#"did you mean "warmStart""#))
    }
}
