/// One named parameter tensor of a model, in PyTorch `nn.Sequential` naming and layout
/// (`decoder.0.weight` with shape [out, in], row-major), at `offset` in the model's flat parameter vector.
public struct ParameterTensor: Equatable, Sendable {
    public let name: String
    public let shape: [Int]
    public let offset: Int
    public var count: Int { shape.reduce(1, *) }
    public var range: Range<Int> { offset..<(offset + count) }
}

/// A multilayer perceptron's shape: dense layers `sizes[0] → sizes[1] → … → sizes.last`, `activation` after
/// every layer except the last (ELU in SPEC §2). Parameters live in one flat vector, layer by layer, each
/// layer's weight ([out, in], row-major) followed by its bias ([out]); so one optimiser step is one loop over
/// one array.
public struct Architecture: Equatable, Sendable {
    /// Prefix of the checkpoint names: "decoder" or "encoder".
    public let name: String
    public let sizes: [Int]
    public let activation: Activation

    public init(name: String, sizes: [Int], activation: Activation = .elu) {
        precondition(sizes.count >= 2 && sizes.allSatisfy { $0 > 0 }, "Architecture: bad layer sizes \(sizes)")
        self.name = name
        self.sizes = sizes
        self.activation = activation
    }

    /// SPEC §2 decoder: latent → 150 → 300 → 600 → 784, logits out (700,234 parameters at latent 20).
    public static func decoder(
        latent: Int = 20, hidden: [Int] = [150, 300, 600], output: Int = 784, activation: Activation = .elu
    ) -> Architecture {
        Architecture(name: "decoder", sizes: [latent] + hidden + [output], activation: activation)
    }

    /// SPEC §2 AE encoder: 784 → 600 → 300 → 150 → latent, no activation on the latent (699,470 parameters).
    public static func encoder(
        latent: Int = 20, hidden: [Int] = [600, 300, 150], input: Int = 784, activation: Activation = .elu
    ) -> Architecture {
        Architecture(name: "encoder", sizes: [input] + hidden + [latent], activation: activation)
    }

    public var layerCount: Int { sizes.count - 1 }
    public var inputSize: Int { sizes[0] }
    public var outputSize: Int { sizes[sizes.count - 1] }

    /// Offsets of layer `l`'s weight and bias in the flat parameter vector.
    public func weightOffset(_ l: Int) -> Int { tensors[2 * l].offset }
    public func biasOffset(_ l: Int) -> Int { tensors[2 * l + 1].offset }

    /// The named tensors in flat-vector order. Layer l is `nn.Sequential` index 2l (activations sit between).
    public var tensors: [ParameterTensor] {
        var out: [ParameterTensor] = []
        var offset = 0
        for l in 0..<layerCount {
            let (i, o) = (sizes[l], sizes[l + 1])
            out.append(ParameterTensor(name: "\(name).\(2 * l).weight", shape: [o, i], offset: offset))
            offset += o * i
            out.append(ParameterTensor(name: "\(name).\(2 * l).bias", shape: [o], offset: offset))
            offset += o
        }
        return out
    }

    public var parameterCount: Int { (0..<layerCount).reduce(0) { $0 + sizes[$1 + 1] * (sizes[$1] + 1) } }
}
