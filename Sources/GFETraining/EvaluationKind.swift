/// The test-set evaluations of SPEC §7.
public enum EvaluationKind: String, Codable, Sendable, CaseIterable {
    /// A GFE model: each batch of B images encoded afresh by the training encoder and settings, then the
    /// mean of ℓ(D(z*), x).
    case gfe
    /// An AE: the mean of ℓ(AE(x), x).
    case ae
    /// The AE's decoder with AMD encoding (table 1's last column): the encoder is not used.
    case aeDecoderAMD
    /// Amortised + refinement (semi-amortised inference, as SA-VAE): the AE's encoder gives z₀ = E(x), and the
    /// configured encoder (AMD by default) refines it through the AE's decoder. With `aeDecoderAMD` (AMD from
    /// the preset's z₀) and `ae` (D(E(x))) it measures the amortisation gap.
    case aeRefined

    /// The command-line spelling: "gfe", "ae", "ae-decoder-amd", "ae-refined".
    public var commandLineName: String {
        switch self {
        case .aeDecoderAMD: "ae-decoder-amd"
        case .aeRefined: "ae-refined"
        default: rawValue
        }
    }

    /// Parses either spelling ("ae-decoder-amd" or "aeDecoderAMD").
    public init?(name: String) {
        if let k = EvaluationKind(rawValue: name) {
            self = k
            return
        }
        guard let k = EvaluationKind.allCases.first(where: { $0.commandLineName == name }) else { return nil }
        self = k
    }

    /// The training method whose model this evaluation applies to.
    public var method: TrainingConfig.Method { self == .gfe ? .gfe : .ae }
}
