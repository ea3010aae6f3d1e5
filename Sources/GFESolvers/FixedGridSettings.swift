import GFECore

/// Which ODE the fixed-grid encoder integrates (SPEC §4.2).
public enum FlowDynamics: String, SettingsChoice {
    /// dz/dt = −α(t)∇_z L(z), z(0) = 0.
    case gradientFlow
    /// The 2nd-order (Nesterov, Su–Boyd–Candès) system: dz/dt = v, dv/dt = −(3/(t+ε))v − α(t)∇_z L(z),
    /// z(0) = v(0) = 0.
    case nesterov
}

/// The time grid (SPEC §4.2, option `grid`).
public enum GridKind: String, SettingsChoice {
    /// t_k = (τ/b)(b^{k/(N−1)} − 1): dense near 0, ends at (τ/b)(b − 1) = 0.75τ for b = 4.
    case log
    /// t_k = k·τ/(N−1).
    case linear
}

/// The scaling α(t) of the gradient term (SPEC §4.2).
public enum TimeScaling: String, SettingsChoice {
    /// α(t) = exp(−2t/τ).
    case exp
    /// α(t) = 1.
    case constant
}

/// Settings of the fixed-grid encoders (GFE and its 2nd-order variant), SPEC §4.2 defaults.
public struct FixedGridSettings: Sendable, Equatable, SettingsFields {
    public var dynamics: FlowDynamics = .gradientFlow
    public var grid: GridKind = .log
    /// N, the number of grid points (N − 1 Runge–Kutta steps).
    public var points: Int = 100
    /// τ: sets the grid's extent and α's decay.
    public var tau: Double = 1.5e4
    /// b, the base of the log grid.
    public var logBase: Double = 4
    public var scaling: TimeScaling = .exp
    /// ε in the Nesterov damping 3/(t + ε).
    public var epsilon: Double = 1e-5
    /// Keep z (and v) and the per-image losses at every grid point (`FixedGridTrajectory`): for plots of
    /// loss against t and for the full adjoint, which integrates backwards over the stored states.
    public var recordTrajectory: Bool = false

    public init(dynamics: FlowDynamics = .gradientFlow) { self.dynamics = dynamics }

    /// The grid t₀ = 0 < t₁ < … < t_{N−1}, in Double.
    public var times: [Double] {
        let last = Double(points - 1)
        switch grid {
        case .log: return (0..<points).map { k in (tau / logBase) * (Math.pow(logBase, Double(k) / last) - 1) }
        case .linear: return (0..<points).map { k in Double(k) * tau / last }
        }
    }

    /// α(t).
    public func alpha(_ t: Double) -> Double {
        switch scaling {
        case .exp: return Math.exp(-2 * t / tau)
        case .constant: return 1
        }
    }

    public static let settingsName = "fixed-grid settings"

    public static var fields: [SettingsField<FixedGridSettings>] {
        [
            .value("dynamics", \.dynamics), .value("grid", \.grid),
            .value("points", \.points, .within(2...100_000, " (one Runge–Kutta step needs two grid points)")),
            .value("tau", \.tau, .positive),
            .value("logBase", \.logBase, SettingsRule("a number greater than 1") { $0.isFinite && $0 > 1 }),
            .value("scaling", \.scaling), .value("epsilon", \.epsilon, .positive),
            .value("recordTrajectory", \.recordTrajectory)
        ]
    }

    public func validate() throws(GFEError) { try checkRanges() }

    public static var alsoAllowed: [String] { ["method"] }

    public init(defaultsFor r: SettingsReader) { self.init() }
}
