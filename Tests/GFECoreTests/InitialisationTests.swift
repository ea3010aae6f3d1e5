import GFECore
import GFETestSupport
import Testing

struct InitialisationTests {
    @Test func parameterCountsMatchSpec() throws {
        #expect(Architecture.decoder().parameterCount == 700_234)
        #expect(Architecture.encoder().parameterCount == 699_470)
        let ae = AutoencoderObjective<Float>(seed: 1, maxBatch: 1)
        #expect(ae.parameterCount == 1_399_704)
        #expect(ae.encoder.parameters.count == 699_470)
        #expect(ae.decoder.parameters.count == 700_234)
        let tensors = Architecture.decoder().tensors
        #expect(
            tensors.map(\.name) == [
                "decoder.0.weight", "decoder.0.bias", "decoder.2.weight", "decoder.2.bias",
                "decoder.4.weight", "decoder.4.bias", "decoder.6.weight", "decoder.6.bias"
            ])
        #expect(tensors[0].shape == [150, 20] && tensors[6].shape == [784, 600])
    }

    /// Draw order as documented: layer by layer, weight row-major then bias, each `rng.uniform(-b, b)`.
    @Test func drawOrderFollowsFlatLayout() {
        let arch = Fixtures.narrow
        let mlp = MLP<Float>(architecture: arch, seed: 99)
        var rng = RNG(seed: 99, stream: "init")
        var expected: [Float] = []
        for l in 0..<arch.layerCount {
            let b = Float(1 / Double(arch.sizes[l]).squareRoot())
            for _ in 0..<(arch.sizes[l + 1] * (arch.sizes[l] + 1)) { expected.append(rng.uniform(-b, b)) }
        }
        #expect(mlp.parameters == expected)
        #expect(MLP<Float>(architecture: arch, seed: 99) == mlp)
        #expect(MLP<Float>(architecture: arch, seed: 99, stream: "other").parameters != mlp.parameters)
    }

    /// U(−b, b), b = 1/√fan_in: every element within bounds, mean ≈ 0 and variance ≈ b²/3 within 5 standard
    /// errors (sd of the mean b/√(3N); sd of the sample variance b²·√(4/45)/√N for a uniform law).
    @Test func boundsAndMomentsMatchPyTorchLinear() {
        let arch = Architecture.decoder()
        let mlp = MLP<Float>(architecture: arch, seed: 3)
        for tensor in arch.tensors {
            let fanIn = tensor.shape.count == 2 ? tensor.shape[1] : arch.sizes[arch.tensors.firstIndex(of: tensor)! / 2]
            let b = 1 / Double(fanIn).squareRoot()
            let values = mlp.parameters[tensor.range].map { Double($0) }
            let n = Double(values.count)
            #expect(values.allSatisfy { $0 >= -b && $0 < b }, "\(tensor.name) outside ±\(b)")
            let mean = values.reduce(0, +) / n
            let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n
            #expect(abs(mean) < 5 * b / (3 * n).squareRoot(), "\(tensor.name) mean \(mean)")
            #expect(
                abs(variance - b * b / 3) < 5 * b * b * (4.0 / 45).squareRoot() / n.squareRoot(),
                "\(tensor.name) variance \(variance) vs \(b * b / 3)")
            #expect(values.max()! > 0.9 * b && values.min()! < -0.9 * b, "\(tensor.name) does not fill its range")
        }
    }

    @Test func wrongParameterCountIsABadInputError() {
        #expect(throws: GFEError.self) { try MLP<Float>(architecture: Fixtures.narrow, parameters: [1, 2, 3]) }
        do {
            _ = try MLP<Float>(architecture: Fixtures.narrow, parameters: [1, 2, 3])
        } catch let error as GFEError {
            #expect(error.exitCode == 2)
            #expect(error.message.contains("3 parameters"))
        } catch { Issue.record("unexpected error \(error)") }
    }
}
