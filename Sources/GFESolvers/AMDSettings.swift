import GFECore

/// The two sets of AMD constants of SPEC §4.1.
public enum AMDPreset: String, SettingsChoice {
    /// The authors' committed code: β = 0.5, K = 20, z₀ ~ U[0,1) drawn per batch.
    case official
    /// The paper's text: β = 0.75, K = 48, z₀ = 0.
    case paper
}

/// Who shares AMD's step-size state (SPEC §4.1, option `stepControl`).
public enum AMDStepControl: String, SettingsChoice {
    /// One t, dt, history and stop per group (a training batch): every image of the group must pass the
    /// acceptance test for a step to be taken, so results depend on which images share the group.
    case batch
    /// Every image has its own t, dt, history and stop (an extension): each image is a group of one.
    case sample
}

/// What an AMD solve records beyond its counters (off by default: it costs memory per accepted step).
public enum AMDRecording: String, SettingsChoice {
    case none
    /// Per group: every accepted time (starting with 0) and the group-mean loss at every accepted state
    /// (starting at z₀), in `GroupStatistics.acceptedTimes` / `meanLossTrajectory`.
    case summary
    /// `summary` plus, in `AMDTrajectory`, z and the per-image losses at every accepted state and the step
    /// size each accepted step moved z by (the forward trajectory an unrolled decoder gradient needs).
    case full
}

/// Every constant of AMD (SPEC §4.1), each overridable. Decoding starts from `preset` (default `official`)
/// and overrides the fields present; unknown fields and out-of-range values are `GFEError.badInput`.
public struct AMDSettings: Sendable, Equatable, SettingsFields {
    /// The preset the constants started from (kept for provenance; changing it does not change the fields).
    public var preset: AMDPreset
    /// τ, the time span: the solve stops once t ≥ τ.
    public var tau: Double = 1e4
    /// s₀, the first step and the smallest step after an accept.
    public var initialStep: Double = 1
    /// s_max, the largest step; also a factor of the acceptance test.
    public var maxStep: Double = 10
    /// κ, the growth of dt after an accepted step.
    public var kappa: Double = 1.1
    /// β, the reduction of dt after a rejected attempt.
    public var beta: Double
    /// K: once dt < β^K the attempt is accepted whatever the test says (a forced accept).
    public var maxReductions: Int
    /// σ, the sufficient-decrease constant: accept iff ℓᵢ − ℓ̃ᵢ ≥ σ·s_max·dt·‖∇ℓ̃ᵢ‖² for every image.
    public var sigma: Double = 1e-5
    /// How far t jumps on a forced accept: Δt = min(jump, τ − t).
    public var jump: Double = 10
    /// W: the stop rule needs at least W history entries (W ≥ 5: it looks at the last 5).
    public var window: Int = 5
    /// c: converged when |mean of numpy.gradient over the last 5 history entries| < c.
    public var threshold: Double = 1e-5
    /// q: history entries are appended once t ≥ (1 − q)·τ.
    public var startFraction: Double = 0.98
    public var stepControl: AMDStepControl = .batch
    /// z₀ when the caller does not supply one.
    public var initialPoint: InitialPoint
    /// A budget of attempts (trial evaluations) per group; `nil` means none. Exhausting it ends the group
    /// with `budgetExhausted` at its last accepted state.
    public var maxAttempts: Int?
    public var record: AMDRecording = .none

    public init(preset: AMDPreset = .official) {
        self.preset = preset
        switch preset {
        case .official:
            beta = 0.5
            maxReductions = 20
            initialPoint = .uniform
        case .paper:
            beta = 0.75
            maxReductions = 48
            initialPoint = .zeros
        }
    }

    public static var official: AMDSettings { AMDSettings(preset: .official) }
    public static var paper: AMDSettings { AMDSettings(preset: .paper) }

    /// β^K, the step below which an attempt is force-accepted (Glibc `pow`, as `torch.pow` in Double).
    public var forcedAcceptBelow: Double { Math.pow(beta, Double(maxReductions)) }

    public static let settingsName = "AMD settings"

    public static var fields: [SettingsField<AMDSettings>] {
        [
            .value("preset", \.preset), .value("tau", \.tau, .positive),
            .value("initialStep", \.initialStep, .positive),
            .value("maxStep", \.maxStep, .positive), .value("kappa", \.kappa, .positive),
            .value("beta", \.beta, .strictlyBetweenZeroAndOne),
            .value("maxReductions", \.maxReductions, .within(0...1_000)),
            .value("sigma", \.sigma, .nonNegative), .value("jump", \.jump, .positive),
            .value("window", \.window, .within(5...1_000_000, " (the stop rule looks at the last 5 entries)")),
            .value("threshold", \.threshold, .nonNegative),
            .value("startFraction", \.startFraction, .betweenZeroAndOne), .value("stepControl", \.stepControl),
            .value("initialPoint", \.initialPoint),
            .optional("maxAttempts", \.maxAttempts, .atLeast(1, " (or absent for no budget)")),
            .value("record", \.record)
        ]
    }

    /// The most steps of the largest size (`maxStep`) that may reach `tau`: beyond it a solve that does not
    /// stop early runs for hours (τ = 1e9 at the default maxStep 10 is 10⁸ decoder passes per batch).
    public static let maxStepsToTau = 10_000_000.0

    /// Checks every constant's range, and that `tau` is within reach of `maxStep`. The message names the
    /// field and the allowed range.
    public func validate() throws(GFEError) {
        try checkRanges()
        guard tau / maxStep <= Self.maxStepsToTau else {
            throw .badInput(
                "\(Self.settingsName): 'tau' is \(tau) and 'maxStep' \(maxStep): tau / maxStep must be at most "
                    + "\(grouped(Int(Self.maxStepsToTau))) (steps of the largest size to reach tau); lower tau or raise maxStep"
            )
        }
    }

    public static var alsoAllowed: [String] { ["method"] }

    public init(defaultsFor r: SettingsReader) throws {
        self.init(preset: try r.choice("preset", AMDPreset.self) ?? .official)
    }
}
