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

/// `persistentLatents: joint`: the latents are parameters, each updated by its own Adam from the pass that
/// gives the decoder its gradient; checked against a first Adam step worked by hand in Double.
@Suite struct JointLatentsTests {
    static func config(prior: Double) throws -> TrainingConfig {
        var c = try ConfigTests.decode(
            #"{"latentDim": 3, "persistentLatents": "joint", "latentLearningRate": 0.01, "latentPrior": "#
                + "\(prior), \"batchSize\": 2}")
        c.decoder.hidden = [6]
        return c
    }

    @Test(arguments: [0.0, 0.5]) func oneStepMovesDecoderAndLatents(prior: Double) throws {
        let c = try Self.config(prior: prior)
        let split = try TestData.mnist().split(.test, seed: 0, limit: 4)
        var x = Matrix<Float>(rows: 2, cols: 784)
        split.gather([1, 3], into: &x)
        var trainee = try GFETrainee(config: c, sampleSize: 784, poolCount: 4)
        let before = trainee.snapshot.decoder
        let outcome = try trainee.step(x: x, positions: [1, 3])

        // z₀ by the encoder's rule (AMD official: uniform from the "z0" stream), then the gradients there.
        var rng = RNG(seed: c.seed, stream: "z0")
        let z0: Matrix<Float> = try LatentEncoder<DecoderObjective<Float>>(c.encoder).initialPoint(
            rows: 2, dim: 3, rng: &rng)
        var objective = DecoderObjective(decoder: before, maxBatch: 2)
        var loss: [Float] = []
        var gz = Matrix<Float>(rows: 2, cols: 3)
        var gTheta = [Float](repeating: 0, count: before.parameterCount)
        let total = objective.lossAndGradients(z: z0, x: x, loss: &loss, gradient: &gz, parameterGradient: &gTheta)
        #expect(outcome.finite && outcome.meanLoss == Double(total) / 2)
        var decoder = before
        var optimiser = c.optimiser.make(parameterCount: before.parameterCount)
        optimiser.update(&decoder.parameters, gradient: gTheta)
        #expect(trainee.snapshot.decoder == decoder)

        // Adam's first step from m = v = 0 is z − lr·g / (|g| + ε) with g = ∇ℓ + 2λz.
        let table = try #require(trainee.latentTable)
        for (row, p) in [1, 3].enumerated() {
            for j in 0..<3 {
                let z = Double(z0[row, j])
                let g = Double(gz[row, j]) + 2 * prior * z
                let expected = z - 0.01 * g / (abs(g) + 1e-8)
                #expect(abs(Double(table[p, j]) - expected) < 1e-6)
            }
        }
        #expect(table.storage[0..<3].allSatisfy { $0 == 0 } && table.storage[6..<9].allSatisfy { $0 == 0 })
    }

    /// A sample seen again starts at its updated latent: the reported loss is the new decoder's at it.
    @Test func aSecondVisitStartsAtTheStoredLatent() throws {
        let c = try Self.config(prior: 0)
        let split = try TestData.mnist().split(.test, seed: 0, limit: 2)
        var x = Matrix<Float>(rows: 2, cols: 784)
        split.gather([0, 1], into: &x)
        var trainee = try GFETrainee(config: c, sampleSize: 784, poolCount: 2)
        _ = try trainee.step(x: x, positions: [0, 1])
        let stored = try #require(trainee.latentTable)
        var objective = DecoderObjective(decoder: trainee.snapshot.decoder, maxBatch: 2)
        var loss = [Float](repeating: 0, count: 2)
        objective.loss(z: stored, x: x, loss: &loss)
        let second = try trainee.step(x: x, positions: [0, 1])
        #expect(second.meanLoss == (Double(loss[0]) + Double(loss[1])) / 2)
        #expect(trainee.latentTable! != stored)
    }

    @Test func configuration() throws {
        let joint = try ConfigTests.decode(#"{"persistentLatents": "joint"}"#)
        #expect(joint.latentLearningRate == 1e-3 && joint.latentPrior == 0)
        // Defaults are written as nothing (a zip may give them beside methods they do not apply to).
        #expect(try !joint.json().contains("latentLearningRate") && !joint.json().contains("latentPrior"))
        #expect(
            try ConfigTests.decode(#"{"persistentLatents": "joint", "latentLearningRate": 0.05}"#).json()
                .contains(#""latentLearningRate":0.05"#))
        // `none` is the default and is written as nothing, so configurations without the field keep their ids.
        #expect(try ConfigTests.decode(#"{"persistentLatents": "none"}"#).json() == ConfigTests.decode("{}").json())
        #expect(ConfigTests.failure(#"{"latentLearningRate": 0.1}"#).contains("'joint' only"))
        #expect(
            ConfigTests.failure(#"{"persistentLatents": "warmStart", "latentPrior": 0.1}"#).contains("'joint' only"))
        #expect(ConfigTests.failure(#"{"persistentLatents": "joint", "latentLearningRate": 0}"#).contains("positive"))
        #expect(
            ConfigTests.failure(#"{"persistentLatents": "joint", "gradient": {"mode": "implicit"}}"#)
                .contains("approximate"))
    }
}

/// `semiAmortised`: the encoder learns from D(E(x)) as a plain AE does, the decoder from D(z*) with z* the
/// configured encoder's solve from E(x) (here one gradient step, worked outside the trainee).
@Suite struct SemiAmortisedTests {
    @Test func encoderAsTheAEDecoderAtTheRefinedCodes() throws {
        var c = try ConfigTests.decode(
            #"{"method": "ae", "latentDim": 3, "semiAmortised": true, "encoder": {"method": "oneStep", "eta": 1}, "#
                + #""batchSize": 2}"#)
        c.decoder.hidden = [6]
        c.decoder.encoderHidden = [7]
        var plainConfig = c
        plainConfig.semiAmortised = false
        let split = try TestData.mnist().split(.test, seed: 0, limit: 2)
        var x = Matrix<Float>(rows: 2, cols: 784)
        split.gather([0, 1], into: &x)
        var refined = try AutoencoderTrainee(config: c, sampleSize: 784)
        var plain = try AutoencoderTrainee(config: plainConfig, sampleSize: 784)
        let start = refined.snapshot
        #expect(start == plain.snapshot)
        let outcome = try refined.step(x: x, positions: [0, 1])
        _ = try plain.step(x: x, positions: [0, 1])
        #expect(refined.snapshot.encoder == plain.snapshot.encoder)
        #expect(refined.snapshot.decoder != plain.snapshot.decoder)

        var ae = try AutoencoderObjective(
            encoder: start.encoder!, decoder: start.decoder, maxBatch: 2, loss: .crossEntropyOnLogits)
        let codes = ae.encode(x)
        let zStar = PersistentLatentsTests.oneStep(start.decoder, z0: codes, x: x)
        var objective = DecoderObjective(decoder: start.decoder, maxBatch: 2)
        var loss: [Float] = []
        var gTheta = [Float](repeating: 0, count: start.decoder.parameterCount)
        let total = objective.lossAndParameterGradient(z: zStar, x: x, loss: &loss, parameterGradient: &gTheta)
        var decoder = start.decoder
        var optimiser = c.optimiser.make(parameterCount: decoder.parameterCount)
        optimiser.update(&decoder.parameters, gradient: gTheta)
        #expect(refined.snapshot.decoder == decoder)
        #expect(outcome.meanLoss == Double(total) / 2)
        // The solve's summary: one evaluation, and the mean ‖∇_z ℓᵢ‖ at z* (curves' solve_gradient_norm).
        var gz = Matrix<Float>(rows: 2, cols: 3)
        objective.lossAndGradient(z: zStar, x: x, loss: &loss, gradient: &gz)
        let norms = (0..<2).map { r in (0..<3).map { Double(gz[r, $0]) * Double(gz[r, $0]) }.reduce(0, +).squareRoot() }
        let solve = try #require(outcome.solve)
        #expect(abs(solve.meanGradientNorm - (norms[0] + norms[1]) / 2) <= 1e-6 * solve.meanGradientNorm)
    }

    @Test func configuration() throws {
        #expect(try ConfigTests.decode(#"{"method": "ae", "semiAmortised": true}"#).json().contains("semiAmortised"))
        #expect(
            try ConfigTests.decode(#"{"method": "ae", "semiAmortised": false}"#).json()
                == ConfigTests.decode(#"{"method": "ae"}"#).json())
        #expect(ConfigTests.failure(#"{"semiAmortised": true}"#).contains("'ae' only"))
        #expect(
            ConfigTests.failure(#"{"method": "ae", "semiAmortised": true, "encoder": {"method": "fixedGrid"}}"#)
                .contains("always starts at z = 0"))
    }
}
