import GFECore

/// Which ODE the fixed-grid encoder integrates (SPEC §4.2).
public enum FlowDynamics: String, Codable, Sendable, CaseIterable {
    /// dz/dt = −α(t)∇_z L(z), z(0) = 0.
    case gradientFlow
    /// The 2nd-order (Nesterov, Su–Boyd–Candès) system: dz/dt = v, dv/dt = −(3/(t+ε))v − α(t)∇_z L(z),
    /// z(0) = v(0) = 0.
    case nesterov
}

/// The time grid (SPEC §4.2, option `grid`).
public enum GridKind: String, Codable, Sendable, CaseIterable {
    /// t_k = (τ/b)(b^{k/(N−1)} − 1): dense near 0, ends at (τ/b)(b − 1) = 0.75τ for b = 4.
    case log
    /// t_k = k·τ/(N−1).
    case linear
}

/// The scaling α(t) of the gradient term (SPEC §4.2).
public enum TimeScaling: String, Codable, Sendable, CaseIterable {
    /// α(t) = exp(−2t/τ).
    case exp
    /// α(t) = 1.
    case constant
}

/// Settings of the fixed-grid encoders (GFE and its 2nd-order variant), SPEC §4.2 defaults.
public struct FixedGridSettings: Codable, Sendable, Equatable {
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

    static let fieldNames = [
        "dynamics", "grid", "points", "tau", "logBase", "scaling", "epsilon",
        "recordTrajectory"
    ]

    public func validate() throws(GFEError) {
        func need(_ ok: Bool, _ field: String, _ value: Any, _ rule: String) throws(GFEError) {
            if !ok { throw .badInput("fixed-grid settings: '\(field)' is \(value); it must be \(rule)") }
        }
        try need(points >= 2, "points", points, "at least 2 (one Runge–Kutta step needs two grid points)")
        try need(tau.isFinite && tau > 0, "tau", tau, "a positive number")
        try need(logBase.isFinite && logBase > 1, "logBase", logBase, "a number greater than 1")
        try need(epsilon.isFinite && epsilon > 0, "epsilon", epsilon, "a positive number")
    }

    public init(from decoder: Decoder) throws {
        let r = try SettingsReader(decoder, what: "fixed-grid settings", allowed: Self.fieldNames + ["method"])
        self.init()
        if let v = try r.choice("dynamics", FlowDynamics.self) { dynamics = v }
        if let v = try r.choice("grid", GridKind.self) { grid = v }
        if let v = try r.int("points") { points = v }
        if let v = try r.double("tau") { tau = v }
        if let v = try r.double("logBase") { logBase = v }
        if let v = try r.choice("scaling", TimeScaling.self) { scaling = v }
        if let v = try r.double("epsilon") { epsilon = v }
        if let v = try r.bool("recordTrajectory") { recordTrajectory = v }
        try validate()
    }

    public func encode(to encoder: Encoder) throws {
        var w = SettingsWriter(encoder)
        try encodeFields(into: &w)
    }

    func encodeFields(into w: inout SettingsWriter) throws {
        try w.put("dynamics", dynamics)
        try w.put("grid", grid)
        try w.put("points", points)
        try w.put("tau", tau)
        try w.put("logBase", logBase)
        try w.put("scaling", scaling)
        try w.put("epsilon", epsilon)
        try w.put("recordTrajectory", recordTrajectory)
    }
}
