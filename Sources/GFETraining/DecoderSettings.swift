import GFECore
import GFEData
import GFESolvers

extension Activation: SettingsChoice {}

/// The decoder a spec declares (`"decoder": {"hidden": [150, 300, 600], "activation": "elu", "output":
/// "logits"}`): hidden widths between the latent (input) and the sample (output), the activation between
/// layers, and what the outputs are. The AE's encoder mirrors it (the hidden widths reversed, the same
/// activation) unless `encoderHidden` says otherwise. The default is the paper's decoder (SPEC §2), and a
/// configuration that keeps it does not write the field, so its run id is what it was before decoders
/// could be declared.
public struct DecoderSettings: Sendable, Equatable, SettingsFields {
    /// What the decoder's outputs are, and so the loss.
    public enum Output: String, SettingsChoice {
        /// Logits under SPEC §3's ε-BCE (targets in [0, 1]): the paper.
        case logits
        /// Values under the per-sample mean squared error (real-valued data; the authors' lowdim and CIFAR
        /// configs).
        case identity
    }

    public var hidden: [Int] = [150, 300, 600]
    public var activation: Activation = .elu
    public var output: Output = .logits
    /// The AE encoder's hidden widths, input to latent; nil: `hidden` reversed.
    public var encoderHidden: [Int]?

    public init() {}

    public static var settingsName: String { TrainingConfig.messageSubject }

    /// Widths that fit in memory and any product of them in Int; a depth that trains.
    static var widths: SettingsRule<[Int]> {
        SettingsRule("at most 16 widths, each from 1 to 10,000") {
            $0.count <= 16 && $0.allSatisfy { (1...10_000).contains($0) }
        }
    }

    public static var fields: [SettingsField<DecoderSettings>] {
        [
            .value("hidden", \.hidden, widths), .value("activation", \.activation), .value("output", \.output),
            .optional("encoderHidden", \.encoderHidden, widths)
        ]
    }

    public init(defaultsFor reader: SettingsReader) throws { self.init() }

    /// The reconstruction loss the outputs call for.
    public var loss: ReconstructionLoss { output == .logits ? .crossEntropyOnLogits : .meanSquaredError }

    /// The decoder: latent → hidden → `samples` (the values per sample of the data).
    public func decoder(latent: Int, samples: Int) -> Architecture {
        Architecture(name: "decoder", sizes: [latent] + hidden + [samples], activation: activation)
    }

    /// The AE's encoder: `samples` → encoder widths → latent, no activation on the latent.
    public func encoder(latent: Int, samples: Int) -> Architecture {
        Architecture(
            name: "encoder", sizes: [samples] + (encoderHidden ?? hidden.reversed()) + [latent],
            activation: activation)
    }
}
