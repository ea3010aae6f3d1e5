import GFECore
import Testing

@testable import GFEStore

/// GFECore's `OptimiserState` through a checkpoint file: what is loaded equals what was saved, and an
/// optimiser resumed from it takes exactly the step the uninterrupted optimiser takes.
@Suite("Optimiser state in checkpoints")
struct OptimiserCheckpointTests {
    let decoder = Architecture(name: "decoder", sizes: [3, 4, 2])  // 26 parameters
    let encoder = Architecture(name: "encoder", sizes: [2, 4, 3])  // 27 parameters

    /// A deterministic gradient for step `k`, with mixed signs, zeros and magnitudes.
    static func gradient(_ k: Int, count: Int) -> [Float] {
        (0..<count).map { i in i % 7 == 3 ? 0 : Float((i * 37 + k * 11) % 23 - 11) / Float(8 + k) }
    }

    /// Takes `steps` updates of `optimiser` from `parameters`.
    static func train<O: Optimiser>(_ optimiser: inout O, _ parameters: inout [Float], steps: Int) where O.T == Float {
        for k in 0..<steps { optimiser.update(&parameters, gradient: gradient(k, count: parameters.count)) }
    }

    /// Saves `optimiser`'s state with `parameters`, loads it back, and checks that the state is identical
    /// and that one more step from the loaded state equals one more step of the optimiser kept in memory.
    func checkRoundTrip<O: Optimiser>(_ optimiser: O, parameters: [Float], steps: Int) throws where O.T == Float {
        var original = optimiser
        var trained = parameters
        Self.train(&original, &trained, steps: steps)
        let state = original.state
        #expect(state.step == steps)
        let loaded = try withTemporaryFolder { folder throws in
            let path = folder + "/run.h5"
            try Checkpoint.save(
                parameters: trained, architecture: decoder, to: path, group: "model",
                step: Int64(steps), optimiser: state)
            return try HDF5File.read(path) { file throws in
                #expect(try Checkpoint.load(architecture: decoder, from: file, group: "model") == trained)
                return try Checkpoint.loadOptimiserState(architecture: decoder, from: file, group: "model")
            }
        }
        let restored = try #require(loaded)
        #expect(restored == state)

        var resumed = try O(state: restored, parameterCount: decoder.parameterCount)
        var withRoundTrip = trained
        var withoutRoundTrip = trained
        let next = Self.gradient(steps, count: decoder.parameterCount)
        resumed.update(&withRoundTrip, gradient: next)
        original.update(&withoutRoundTrip, gradient: next)
        #expect(withRoundTrip.map(\.bitPattern) == withoutRoundTrip.map(\.bitPattern))
        #expect(withRoundTrip != trained)  // the step moved the parameters
        #expect(resumed.state == original.state)
    }

    @Test("RMSprop: saved and loaded state is identical and the next step is bit-identical")
    func rmspropRoundTrip() throws {
        let start = (0..<decoder.parameterCount).map { Float($0) / 13 - 1 }
        try checkRoundTrip(
            RMSprop<Float>(parameterCount: decoder.parameterCount, learningRate: 1e-3, alpha: 0.85, eps: 1e-7),
            parameters: start, steps: 3)
    }

    @Test("Adam: saved and loaded state is identical and the next step is bit-identical")
    func adamRoundTrip() throws {
        let start = (0..<decoder.parameterCount).map { 1 - Float($0) / 9 }
        try checkRoundTrip(
            Adam<Float>(
                parameterCount: decoder.parameterCount, learningRate: 2e-3, beta1: 0.8, beta2: 0.99,
                eps: 1e-7),
            parameters: start, steps: 4)
    }

    @Test("an AE's two optimiser states sit side by side in one group; re-saving without one removes it")
    func twoNetworksInOneGroup() throws {
        var encoderOptimiser = Adam<Float>(parameterCount: encoder.parameterCount)
        var decoderOptimiser = RMSprop<Float>(parameterCount: decoder.parameterCount)
        var encoderParameters = [Float](repeating: 0.5, count: encoder.parameterCount)
        var decoderParameters = [Float](repeating: -0.5, count: decoder.parameterCount)
        Self.train(&encoderOptimiser, &encoderParameters, steps: 2)
        Self.train(&decoderOptimiser, &decoderParameters, steps: 2)
        try withTemporaryFolder { folder throws in
            let path = folder + "/ae.h5"
            try HDF5File.write(to: path) { file throws in
                try Checkpoint.save(
                    parameters: decoderParameters, architecture: decoder, to: file, group: "model",
                    optimiser: decoderOptimiser.state)
                try Checkpoint.save(
                    parameters: encoderParameters, architecture: encoder, to: file, group: "model",
                    optimiser: encoderOptimiser.state)
            }
            try HDF5File.read(path) { file throws in
                #expect(
                    try Checkpoint.loadOptimiserState(architecture: encoder, from: file, group: "model")
                        == encoderOptimiser.state)
                #expect(
                    try Checkpoint.loadOptimiserState(architecture: decoder, from: file, group: "model")
                        == decoderOptimiser.state)
                #expect(try file.members(of: "model/encoder_optimiser").map(\.name) == ["exp_avg", "exp_avg_sq"])
                #expect(try file.stringAttribute("kind", of: "model/encoder_optimiser") == "adam")
            }
            try Checkpoint.save(parameters: decoderParameters, architecture: decoder, to: path, group: "model")
            try HDF5File.read(path) { file throws in
                #expect(try Checkpoint.loadOptimiserState(architecture: decoder, from: file, group: "model") == nil)
                #expect(
                    try Checkpoint.loadOptimiserState(architecture: encoder, from: file, group: "model")
                        == encoderOptimiser.state)
            }
        }
    }

    @Test("a state that does not fit the architecture is refused on save and on load")
    func mismatchedStates() throws {
        let wrongSize = OptimiserState<Float>(
            kind: "rmsprop", step: 1, hyperparameters: ["lr": 1e-3, "alpha": 0.9, "eps": 1e-6],
            buffers: ["square_avg": [1, 2, 3]])
        let deeper = Architecture(name: "decoder", sizes: [3, 4, 4, 2])
        try withTemporaryFolder { folder throws in
            let path = folder + "/x.h5"
            let parameters = [Float](repeating: 1, count: decoder.parameterCount)
            let refused = #expect(throws: StoreError.self) {
                try Checkpoint.save(parameters: parameters, architecture: decoder, to: path, optimiser: wrongSize)
            }
            #expect(refused?.message.contains("3 values, expected 26") == true)
            try Checkpoint.save(
                parameters: parameters, architecture: decoder, to: path,
                optimiser: RMSprop<Float>(parameterCount: decoder.parameterCount).state)
            let misfit = #expect(throws: StoreError.self) {
                try HDF5File.read(path) { try Checkpoint.loadOptimiserState(architecture: deeper, from: $0) }
            }
            #expect(misfit?.exitCode == 2)
        }
    }
}
