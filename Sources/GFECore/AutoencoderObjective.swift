/// The AE baseline of SPEC §6: ℓᵢ = ℓ(D(E(xᵢ)), xᵢ) with the reconstruction loss `loss` (SPEC §3's ε-BCE
/// by default) and L = Σᵢ ℓᵢ, with standard backpropagation through decoder and encoder.
///
/// Holds both networks and their workspaces. The AE's parameters are the encoder's followed by the
/// decoder's (1,399,704 at the SPEC sizes); gradients come as two flat vectors in the networks' own layouts,
/// so each network keeps its own optimiser (elementwise optimisers make that identical to one optimiser
/// over the concatenation).
public struct AutoencoderObjective<T: Scalar>: Sendable {
    public var encoder: MLP<T>
    public var decoder: MLP<T>
    public let loss: ReconstructionLoss
    var encoderWorkspace: MLPWorkspace<T>
    var decoderWorkspace: MLPWorkspace<T>

    /// - Throws: `GFEError.badInput` unless encoder output = decoder input and decoder output = encoder input.
    public init(
        encoder: MLP<T>, decoder: MLP<T>, maxBatch: Int, loss: ReconstructionLoss = .crossEntropyOnLogits
    ) throws {
        let (e, d) = (encoder.architecture, decoder.architecture)
        guard e.outputSize == d.inputSize, d.outputSize == e.inputSize else {
            throw GFEError.badInput(
                "autoencoder: encoder \(e.sizes) and decoder \(d.sizes) do not compose (the encoder's last size must be "
                    + "the decoder's first, and the decoder's last the encoder's first)")
        }
        self.init(composing: encoder, decoder, maxBatch: maxBatch, loss: loss)
    }

    /// The autoencoder of an encoder and decoder that compose (the caller has checked or built them so).
    private init(composing encoder: MLP<T>, _ decoder: MLP<T>, maxBatch: Int, loss: ReconstructionLoss) {
        self.encoder = encoder
        self.decoder = decoder
        self.loss = loss
        encoderWorkspace = MLPWorkspace(architecture: encoder.architecture, maxBatch: maxBatch)
        decoderWorkspace = MLPWorkspace(architecture: decoder.architecture, maxBatch: maxBatch)
    }

    /// PyTorch-style initialisation (`MLP.init(architecture:rng:)`) of the SPEC §2 networks from one
    /// generator `RNG(seed: seed, stream: stream)`: all encoder parameters first, then the decoder's.
    public init(latent: Int = 20, seed: UInt64, stream: String = "init", maxBatch: Int) {
        var rng = RNG(seed: seed, stream: stream)
        let encoder = MLP<T>(architecture: .encoder(latent: latent), rng: &rng)
        let decoder = MLP<T>(architecture: .decoder(latent: latent), rng: &rng)
        // The SPEC §2 networks of one latent size compose.
        self.init(composing: encoder, decoder, maxBatch: maxBatch, loss: .crossEntropyOnLogits)
    }

    public var parameterCount: Int { encoder.parameterCount + decoder.parameterCount }

    /// ℓᵢ of the reconstructions into `loss[0..<n]` (forward passes only).
    public mutating func loss(x: Matrix<T>, loss: inout [T]) {
        run(x: x, loss: &loss, encoderGradient: nil, decoderGradient: nil)
    }

    /// ℓᵢ into `loss`, ∂_θ L for the encoder and the decoder into the two gradients (overwritten), by
    /// backpropagation through both networks. Returns L = Σᵢ ℓᵢ.
    @discardableResult
    public mutating func lossAndParameterGradients(
        x: Matrix<T>, loss: inout [T], encoderGradient: inout [T], decoderGradient: inout [T]
    ) -> T {
        encoder.checkParameterGradient(encoderGradient)
        decoder.checkParameterGradient(decoderGradient)
        encoderGradient.withUnsafeMutableBufferPointer { eg in
            decoderGradient.withUnsafeMutableBufferPointer { dg in
                run(x: x, loss: &loss, encoderGradient: eg.baseAddress, decoderGradient: dg.baseAddress)
            }
        }
        return DecoderObjective<T>.sum(loss, x.rows)
    }

    /// The latent codes E(x) (n × latent), a new matrix.
    public mutating func encode(_ x: Matrix<T>) -> Matrix<T> {
        encoder.forward(x, workspace: &encoderWorkspace)
        return encoderWorkspace.output()
    }

    /// Forward through E then D, the loss, and (when the gradient pointers are given) backward through D
    /// — writing ∂L/∂z straight into the encoder's output-gradient slot — then through E.
    private mutating func run(
        x: Matrix<T>, loss: inout [T],
        encoderGradient: UnsafeMutablePointer<T>?, decoderGradient: UnsafeMutablePointer<T>?
    ) {
        let (encoder, decoder, reconstructionLoss) = (self.encoder, self.decoder, self.loss)
        encoder.checkInput(x, encoderWorkspace)
        let n = x.rows
        if loss.count < n { loss.setCount(n) }
        encoderWorkspace.prepare(rows: n, secondOrder: false)
        decoderWorkspace.prepare(rows: n, secondOrder: false)
        encoderWorkspace.batch = n
        decoderWorkspace.batch = n
        let (el, dl) = (encoderWorkspace.layout, decoderWorkspace.layout)
        let backward = encoderGradient != nil
        let (latent, pixels) = (encoder.architecture.outputSize, decoder.architecture.outputSize)
        encoder.parameters.withUnsafeBufferPointer { ep in
            decoder.parameters.withUnsafeBufferPointer { dp in
                x.storage.withUnsafeBufferPointer { xp in
                    loss.withUnsafeMutableBufferPointer { lp in
                        encoderWorkspace.buffer.withUnsafeMutableBufferPointer { ewb in
                            decoderWorkspace.buffer.withUnsafeMutableBufferPointer { dwb in
                                let (ew, dw) = (ewb.baseAddress!, dwb.baseAddress!)
                                guard n > 0, let xBase = xp.baseAddress else {
                                    encoder.backwardPass(
                                        rows: 0, parameters: ep.baseAddress!, workspace: ew, layout: el,
                                        inputGradient: nil, parameterGradient: encoderGradient,
                                        scale: 1, accumulate: false)
                                    decoder.backwardPass(
                                        rows: 0, parameters: dp.baseAddress!, workspace: dw, layout: dl,
                                        inputGradient: nil, parameterGradient: decoderGradient,
                                        scale: 1, accumulate: false)
                                    return
                                }
                                (ew + el.activation[0]).update(from: xBase, count: n * encoder.architecture.inputSize)
                                encoder.forwardPass(rows: n, parameters: ep.baseAddress!, workspace: ew, layout: el)
                                (dw + dl.activation[0]).update(
                                    from: ew + el.activation[el.layerCount], count: n * latent)
                                decoder.forwardPass(rows: n, parameters: dp.baseAddress!, workspace: dw, layout: dl)
                                reconstructionLoss.evaluate(
                                    outputs: dw + dl.activation[dl.layerCount], targets: xBase, rows: n,
                                    cols: pixels, losses: lp.baseAddress!,
                                    gradient: backward ? dw + dl.delta[dl.layerCount] : nil)
                                guard backward else { return }
                                decoder.backwardPass(
                                    rows: n, parameters: dp.baseAddress!, workspace: dw, layout: dl,
                                    inputGradient: ew + el.delta[el.layerCount],
                                    parameterGradient: decoderGradient, scale: 1, accumulate: false)
                                encoder.backwardPass(
                                    rows: n, parameters: ep.baseAddress!, workspace: ew, layout: el,
                                    inputGradient: nil, parameterGradient: encoderGradient,
                                    scale: 1, accumulate: false)
                            }
                        }
                    }
                }
            }
        }
    }
}
