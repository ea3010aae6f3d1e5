import GFECore

/// The configuration of an encoder: which method and its settings (SPEC §4).
///
/// Coded as one flat object: `{"method": "amd", "preset": "paper", "beta": 0.8}`,
/// `{"method": "fixedGrid", "dynamics": "nesterov"}`, `{"method": "oneStep", "eta": 1}`, `{"method": "adam",
/// "lr": 5e-3, "steps": 100}`, `{"method": "gd", "lr": 1, "steps": 100}`. Absent fields take
/// the SPEC defaults (AMD: those of its `preset`, default `official`); unknown fields, unknown methods and
/// out-of-range values are `GFEError.badInput` naming the field.
public enum EncoderSettings: Codable, Sendable, Equatable {
    case amd(AMDSettings)
    case fixedGrid(FixedGridSettings)
    case oneStep(OneStepSettings)
    /// Adam or gradient descent on z for a fixed number of steps (methods `adam`, `gd`).
    case latentOptimiser(LatentOptimiserSettings)

    public enum Method: String, SettingsChoice {
        case amd, fixedGrid, oneStep, adam, gd
    }

    public var method: Method {
        switch self {
        case .amd: return .amd
        case .fixedGrid: return .fixedGrid
        case .oneStep: return .oneStep
        case .latentOptimiser(let s): return s.rule == .adam ? .adam : .gd
        }
    }

    /// Whether z* comes from integrating the gradient flow (AMD, fixed grid, one step) rather than from an
    /// optimiser on z.
    public var isFlow: Bool {
        if case .latentOptimiser = self { return false }
        return true
    }

    public func validate() throws(GFEError) {
        switch self {
        case .amd(let s): try s.validate()
        case .fixedGrid(let s): try s.validate()
        case .oneStep(let s): try s.validate()
        case .latentOptimiser(let s): try s.validate()
        }
    }

    public init(from decoder: Decoder) throws {
        // Only "method" is read here; the chosen method's settings check the other fields.
        let r = try SettingsReader(decoder, what: "encoder settings", allowed: nil)
        guard let method = try r.choice("method", Method.self) else {
            throw r.problem(
                "field '\(r.qualified("method"))' is missing; expected one of "
                    + SettingsReader.quoted(Method.allCases.map(\.rawValue)))
        }
        switch method {
        case .amd: self = .amd(try AMDSettings(from: decoder))
        case .fixedGrid: self = .fixedGrid(try FixedGridSettings(from: decoder))
        case .oneStep: self = .oneStep(try OneStepSettings(from: decoder))
        case .adam, .gd: self = .latentOptimiser(try LatentOptimiserSettings(from: decoder))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var w = SettingsWriter(encoder)
        try w.put("method", method)
        switch self {
        case .amd(let s): try s.write(&w)
        case .fixedGrid(let s): try s.write(&w)
        case .oneStep(let s): try s.write(&w)
        case .latentOptimiser(let s): try s.write(&w)
        }
    }
}

extension EncoderSettings {
    /// The rule for z₀ when the caller gives none; nil for the fixed grid, which always starts at 0.
    public var initialPoint: InitialPoint? {
        switch self {
        case .amd(let s): return s.initialPoint
        case .oneStep(let s): return s.initialPoint
        case .latentOptimiser(let s): return s.initialPoint
        case .fixedGrid: return nil
        }
    }
}

/// The forward trajectory an encoder kept, if its settings asked for one.
public enum EncoderTrajectory<T: Scalar>: Sendable {
    case amd(AMDTrajectory<T>)
    case fixedGrid(FixedGridTrajectory<T>)
    /// The one-step encoder always keeps z₀ and its loss and gradient there.
    case oneStep(z0: Matrix<T>, loss0: [T], gradient0: Matrix<T>)
    /// The latent optimisers always keep the batch-mean loss before each step and at z*.
    case latentOptimiser(meanLoss: [Double])
}

/// What any encoder returns: z* (n×d), the statistics, and the trajectory when one was kept.
public struct Encoding<T: Scalar>: Sendable {
    public var z: Matrix<T>
    public var statistics: SolveStatistics
    public var trajectory: EncoderTrajectory<T>?
}

/// Any configured encoder behind one call, so a trainer or evaluator can swap methods by settings alone.
/// Holds the chosen solver with its workspace, reused across calls.
public struct LatentEncoder<O: LatentObjective> {
    public typealias T = O.T
    public let settings: EncoderSettings
    // One of these is set. Separate optionals (not an enum payload) so the solver mutates in place and its
    // workspace is never copied.
    private var amd: AMDSolver<O>?
    private var fixedGrid: FixedGridSolver<O>?
    private var oneStep: OneStepSolver<O>?
    private var optimiser: LatentOptimiserSolver<O>?

    public init(_ settings: EncoderSettings) throws(GFEError) {
        self.settings = settings
        switch settings {
        case .amd(let s): amd = try AMDSolver(settings: s)
        case .fixedGrid(let s): fixedGrid = try FixedGridSolver(settings: s)
        case .oneStep(let s): oneStep = try OneStepSolver(settings: s)
        case .latentOptimiser(let s): optimiser = try LatentOptimiserSolver(settings: s)
        }
    }

    /// The starting point the settings prescribe for n images: AMD, one-step and the latent optimisers by
    /// their `initialPoint` (`uniform` draws from `rng`), the fixed grid always 0.
    public func initialPoint(rows n: Int, dim d: Int, rng: inout RNG) -> Matrix<T> {
        settings.initialPoint?.make(rows: n, dim: d, rng: &rng) ?? Matrix(rows: n, cols: d)
    }

    /// Encodes the images `x` (n×P) in groups `layout`. z₀ is `z0` when given (AMD and one-step; the
    /// fixed grid always starts at 0 and rejects a z0), otherwise drawn by `initialPoint(rows:dim:rng:)`.
    public mutating func encode(
        objective: inout O, x: Matrix<T>, layout: GroupLayout = .oneGroup, z0: Matrix<T>? = nil, rng: inout RNG
    ) throws(GFEError) -> Encoding<T> {
        try encode(objective: &objective, x: x, layout: layout, z0: z0, rng: &rng, recordForward: false).encoding
    }

    /// `encode`, plus (extension point for the decoder gradients, DecoderGradient*.swift) the whole forward
    /// pass when `recordForward`: AMD then records its `full` trajectory whatever its `record` setting, and
    /// the fixed grid returns every stage evaluation (`stages`). The numbers computed are the same.
    mutating func encode(
        objective: inout O, x: Matrix<T>, layout: GroupLayout, z0: Matrix<T>?, rng: inout RNG, recordForward: Bool
    ) throws(GFEError) -> (encoding: Encoding<T>, stages: FixedGridStageRecord<T>?) {
        let d = objective.latentDim
        // Each branch takes its solver out of the optional while it works (so its workspace stays uniquely
        // referenced and is mutated in place) and puts it back on the way out.
        if var solver = amd {
            amd = nil
            defer { amd = solver }
            let start = z0 ?? initialPoint(rows: x.rows, dim: d, rng: &rng)
            solver.recordOverride = recordForward ? .full : nil
            defer { solver.recordOverride = nil }
            let s = try solver.solve(objective: &objective, x: x, z0: start, layout: layout)
            return (Encoding(z: s.z, statistics: s.statistics, trajectory: s.trajectory.map { .amd($0) }), nil)
        }
        if var solver = fixedGrid {
            fixedGrid = nil
            defer { fixedGrid = solver }
            if z0 != nil {
                throw .badInput("fixed-grid encoder: z0 cannot be supplied; the flow starts at z = 0 (SPEC §4.2)")
            }
            solver.stageRecord = recordForward ? FixedGridStageRecord() : nil
            defer { solver.stageRecord = nil }
            let s = try solver.solve(objective: &objective, x: x, layout: layout)
            return (
                Encoding(z: s.z, statistics: s.statistics, trajectory: s.trajectory.map { .fixedGrid($0) }),
                solver.stageRecord
            )
        }
        if var solver = optimiser {
            optimiser = nil
            defer { optimiser = solver }
            let start = z0 ?? initialPoint(rows: x.rows, dim: d, rng: &rng)
            let s = try solver.solve(objective: &objective, x: x, z0: start, layout: layout)
            return (Encoding(z: s.z, statistics: s.statistics, trajectory: .latentOptimiser(meanLoss: s.meanLoss)), nil)
        }
        guard var solver = oneStep else { throw .badInput("encoder: no solver is configured (\(settings))") }
        oneStep = nil
        defer { oneStep = solver }
        let start = z0 ?? initialPoint(rows: x.rows, dim: d, rng: &rng)
        let s = try solver.solve(objective: &objective, x: x, z0: start, layout: layout)
        return (
            Encoding(
                z: s.z, statistics: s.statistics,
                trajectory: .oneStep(z0: s.z0, loss0: s.loss0, gradient0: s.gradient0)), nil
        )
    }
}
