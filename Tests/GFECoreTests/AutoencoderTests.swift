import GFECore
import GFETestSupport
import Testing

/// The AE loss and its gradient for both networks against finite differences (narrow networks, all
/// coordinates), and its composition D(E(x)).
struct AutoencoderTests {
    static let encoderArch = Architecture(name: "encoder", sizes: [6, 5, 3])
    static let decoderArch = Architecture(name: "decoder", sizes: [3, 4, 6])

    @Test func gradientsMatchFiniteDifferences() throws {
        let encoder = Fixtures.network(Self.encoderArch, seed: 71, gain: 2)
        let decoder = Fixtures.network(Self.decoderArch, seed: 72, gain: 2)
        let x = Fixtures.targets(4, 6, seed: 73)
        var ae = try AutoencoderObjective(encoder: encoder, decoder: decoder, maxBatch: 4)
        var loss: [Double] = []
        var ge = [Double](repeating: 0, count: encoder.parameterCount)
        var gd = [Double](repeating: 0, count: decoder.parameterCount)
        let total = ae.lossAndParameterGradients(x: x, loss: &loss, encoderGradient: &ge, decoderGradient: &gd)

        // Composition: ℓ(D(E(x)), x) through the decoder objective on the encoder's codes.
        var objective = DecoderObjective(decoder: decoder, maxBatch: 4)
        var lossDecoder: [Double] = []
        objective.loss(z: encoder.forward(x), x: x, loss: &lossDecoder)
        expectClose(loss, lossDecoder, relative: 1e-14, absolute: 0, "composition")
        expectClose(total, loss.reduce(0, +), relative: 1e-14, absolute: 0)
        expectClose(ae.encode(x).storage, encoder.forward(x).storage, relative: 0, absolute: 0)

        var probe = ae
        var l: [Double] = []
        let fdEncoder = FiniteDifferences.gradient(at: encoder.parameters, step: 1e-5) {
            probe.encoder.parameters = $0
            probe.loss(x: x, loss: &l)
            return l.reduce(0, +)
        }
        probe = ae
        let fdDecoder = FiniteDifferences.gradient(at: decoder.parameters, step: 1e-5) {
            probe.decoder.parameters = $0
            probe.loss(x: x, loss: &l)
            return l.reduce(0, +)
        }
        expectClose(ge, fdEncoder, relative: 1e-6, absolute: 1e-10, "encoder")
        expectClose(gd, fdDecoder, relative: 1e-6, absolute: 1e-10, "decoder")
    }

    @Test func incompatibleNetworksAreABadInputError() {
        let encoder = Fixtures.network(Self.encoderArch, seed: 74)
        let decoder = Fixtures.network(Architecture(name: "decoder", sizes: [4, 6]), seed: 75)
        #expect(throws: GFEError.self) { try AutoencoderObjective(encoder: encoder, decoder: decoder, maxBatch: 2) }
    }

    /// The convenience initialiser draws the encoder first, then the decoder, from one "init" stream.
    @Test func initialisationOrder() {
        let ae = AutoencoderObjective<Float>(latent: 20, seed: 9, maxBatch: 1)
        var rng = RNG(seed: 9, stream: "init")
        let encoder = MLP<Float>(architecture: .encoder(), rng: &rng)
        let decoder = MLP<Float>(architecture: .decoder(), rng: &rng)
        #expect(ae.encoder == encoder && ae.decoder == decoder)
    }
}
