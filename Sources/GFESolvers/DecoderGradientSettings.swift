import GFECore

/// How the decoder's parameter gradient treats the dependence of z* on θ (SPEC §5, option `gradient`).
public enum DecoderGradientMode: String, SettingsChoice {
    /// ∂_θ L(D_θ(z*)) with z* held constant (the paper's eq. 5–6; all tables). Any encoder.
    case approximate
    /// The continuous adjoint of the flow, integrated backwards over the fixed grid. Fixed-grid encoders only.
    case adjoint
    /// Backpropagation through the solver's discrete steps: the exact gradient of the computed z* with the
    /// step sizes held constant. Any encoder.
    case unrolled
    /// The implicit-function gradient at a stationary z*, by conjugate gradients per sample. Any encoder;
    /// meaningful when ‖∇_z ℓ(z*)‖ is small (reported).
    case implicit
}

/// Settings of the decoder gradient (SPEC §5). Coded as a flat object, `{"mode": "implicit", "cgTolerance":
/// 1e-5}`, or as the bare mode name, `"adjoint"`; absent fields take these defaults and unknown fields,
/// unknown modes and out-of-range values are `GFEError.badInput` naming the field.
public struct DecoderGradientSettings: Sendable, Equatable, SettingsFields {
    public var mode: DecoderGradientMode = .approximate
    /// `implicit`: each sample's conjugate-gradient solve Hᵢuᵢ = ∇_{zᵢ}ℓᵢ stops once
    /// ‖rᵢ‖ ≤ cgTolerance·‖∇_{zᵢ}ℓᵢ‖ (relative residual).
    public var cgTolerance: Double = 1e-4
    /// `implicit`: the most Hessian-vector products per solve (a d-dimensional SPD system needs at most d in
    /// exact arithmetic; rounding may need a few more).
    public var cgMaxIterations: Int = 50

    public init(mode: DecoderGradientMode = .approximate, cgTolerance: Double = 1e-4, cgMaxIterations: Int = 50) {
        self.mode = mode
        self.cgTolerance = cgTolerance
        self.cgMaxIterations = cgMaxIterations
    }

    public static let settingsName = "decoder-gradient settings"

    public static var fields: [SettingsField<DecoderGradientSettings>] {
        [
            .value("mode", \.mode),
            .value(
                "cgTolerance", \.cgTolerance,
                SettingsRule("a relative residual strictly between 0 and 1 (e.g. 1e-4)") {
                    $0.isFinite && $0 > 0 && $0 < 1
                }),
            .value("cgMaxIterations", \.cgMaxIterations, .within(1...10_000))
        ]
    }

    /// Checks the numeric fields' ranges.
    public func validate() throws(GFEError) { try checkRanges() }

    /// Checks the settings and that `mode` is defined for this encoder: `adjoint` integrates the flow's
    /// adjoint ODE backwards over the grid, so it needs a fixed-grid encoder (AMD's path has forced accepts
    /// that jump t without moving z, and the one-step encoder has no flow).
    public func validate(encoder: EncoderSettings) throws(GFEError) {
        try validate()
        if mode == .unrolled, !encoder.isFlow {
            throw .badInput(
                "decoder-gradient mode 'unrolled' differentiates through a flow encoder's steps (AMD, fixed grid, "
                    + "one step), but the encoder is '\(encoder.method.rawValue)'; use 'approximate' or 'implicit'")
        }
        if mode == .adjoint, encoder.method != .fixedGrid {
            throw .badInput(
                "decoder-gradient mode 'adjoint' needs the fixed-grid encoder (method 'fixedGrid'), "
                    + "but the encoder is '\(encoder.method.rawValue)'; use 'unrolled' for the exact "
                    + "gradient through its steps, or 'implicit' or 'approximate'")
        }
    }

    public init(from decoder: Decoder) throws {
        if let single = try? decoder.singleValueContainer(), let name = try? single.decode(String.self) {
            guard let mode = DecoderGradientMode(rawValue: name) else {
                let allowed = DecoderGradientMode.allCases.map(\.rawValue)
                throw GFEError.badInput(
                    "decoder-gradient settings: mode '\(name)' is unknown\(didYouMean(name, among: allowed)); "
                        + "expected one of \(SettingsReader.quoted(allowed))")
            }
            self.init(mode: mode)
            return
        }
        self.init()
        try read(try SettingsReader(decoder, what: Self.settingsName, allowed: fieldNames))
    }

    public init(defaultsFor r: SettingsReader) { self.init() }
}
