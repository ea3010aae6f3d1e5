import GFECore
import GFEData
import GFESolvers
import Testing

@testable import GFETraining

/// `StepReplay`: step K recomputed from the model after K − 1 steps is training's step K, bit for bit in
/// Float32 (same minibatch, same z₀ draws, across an epoch boundary), and close to it in Float64.
@Suite struct StepReplayTests {
    static func config(_ encoder: EncoderSettings, gradient: DecoderGradientMode) -> TrainingConfig {
        var c = TrainingConfig(method: .gfe)
        c.encoder = encoder
        c.gradient = DecoderGradientSettings(mode: gradient)
        c.budget = .iterations(5)
        c.data = DataSettings(dataset: .mnist, trainLimit: 40, testLimit: 8)  // epochs of 16, 16, 8 images
        return c
    }

    static func fixedGrid() -> EncoderSettings {
        var s = FixedGridSettings()
        s.points = 4
        s.tau = 300
        return .fixedGrid(s)
    }

    @Test(arguments: [
        (EncoderSettings.amd(TestData.shortAMD()), DecoderGradientMode.approximate), (fixedGrid(), .adjoint)
    ])
    func replayIsTheTrainingStep(encoder: EncoderSettings, gradient: DecoderGradientMode) throws {
        var c = Self.config(encoder, gradient: gradient)
        let data = try TrainingData.cut(try TestData.mnist(), c)
        let full = try Trainer.run(c, data: data)
        c.budget = .iterations(4)
        let before = try Trainer.run(c, data: data)
        c.budget = .iterations(5)
        let replay = try StepReplay.replay(config: c, data: data, decoder: before.model.decoder, iteration: 5)
        #expect(replay.iteration == 5 && replay.batchSize == 16)
        #expect(replay.imagesSeenBefore == full.iterations[3].imagesSeen)
        #expect(replay.float32.meanLoss == full.iterations[4].loss)
        #expect(replay.float32.isFinite && replay.float64.isFinite)
        #expect(abs(replay.float64.meanLoss - replay.float32.meanLoss) < 1e-4 * replay.float32.meanLoss)
        if gradient == .adjoint {
            #expect(replay.float32.adjointSweep.map(\.interval) == [2, 1, 0])
            #expect(replay.float64.adjointSweep.count == 3)
            #expect(replay.float32.secondOrderPasses == 12)
            let grid = try #require(replay.grid)
            #expect(grid.map(\.interval) == [0, 1, 2])
            #expect(
                grid.allSatisfy { $0.stiffness > 0 && $0.amplification == FlowStiffness.amplification($0.stiffness) })
        } else {
            #expect(replay.float32.adjointSweep.isEmpty && replay.grid == nil)
        }
        // The first step replays from the initial decoder.
        let first = try StepReplay.replay(
            config: c, data: data,
            decoder: MLP(architecture: c.decoderArchitecture(sampleSize: data.sampleSize), seed: c.seed), iteration: 1)
        #expect(first.float32.meanLoss == full.iterations[0].loss && first.imagesSeenBefore == 0)
    }

    @Test func refusesWhatItCannotReplay() throws {
        let c = Self.config(Self.fixedGrid(), gradient: .adjoint)
        let data = try TrainingData.cut(try TestData.mnist(), c)
        let decoder = MLP<Float>(architecture: c.decoderArchitecture(sampleSize: data.sampleSize), seed: 1)
        func message(_ config: TrainingConfig, _ d: MLP<Float>, _ iteration: Int) -> String {
            do {
                _ = try StepReplay.replay(config: config, data: data, decoder: d, iteration: iteration)
                return "no error"
            } catch { return "\(error)" }
        }
        #expect(message(c, decoder, 0).contains("outside the run's budget and the step after it (1 … 6)"))
        #expect(message(c, decoder, 7).contains("outside the run's budget"))
        #expect(message(c, decoder, 6) == "no error")
        var ae = c
        ae.method = .ae
        ae.encoder = .amd(TestData.shortAMD())
        ae.gradient = DecoderGradientSettings()
        #expect(message(ae, decoder, 1).contains("autoencoder"))
        var warm = Self.config(.amd(TestData.shortAMD()), gradient: .approximate)
        warm.persistentLatents = .warmStart
        #expect(message(warm, decoder, 1).contains("persistent latents"))
        let other = MLP<Float>(architecture: Architecture(name: "decoder", sizes: [20, 5, 784]), seed: 1)
        #expect(message(c, other, 1).contains("are not the config's"))
    }
}
