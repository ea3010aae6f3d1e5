import GFECore

/// Settings of the one-step (GON-style) encoder, SPEC §4.2: z* = z₀ − η∇_z L(z₀).
public struct OneStepSettings: Sendable, Equatable, SettingsFields {
    /// η, the step.
    public var eta: Double = 1
    /// z₀ when the caller does not supply one (SPEC: 0).
    public var initialPoint: InitialPoint = .zeros

    public init(eta: Double = 1, initialPoint: InitialPoint = .zeros) {
        self.eta = eta
        self.initialPoint = initialPoint
    }

    public static let settingsName = "one-step settings"

    public static var fields: [SettingsField<OneStepSettings>] {
        [.value("eta", \.eta, .finite), .value("initialPoint", \.initialPoint)]
    }

    public func validate() throws(GFEError) { try checkRanges() }

    public static var alsoAllowed: [String] { ["method"] }

    public init(defaultsFor r: SettingsReader) { self.init() }
}

/// What a one-step solve returns. `z0`, `loss0` and `gradient0` are kept for the unrolled decoder gradient
/// (the exact gradient of z* = z₀ − η∇L(z₀) needs ∇L and the Hessian at z₀).
public struct OneStepSolution<T: Scalar>: Sendable {
    public var z: Matrix<T>
    public var statistics: SolveStatistics
    public var z0: Matrix<T>
    public var loss0: [T]
    public var gradient0: Matrix<T>
}

/// The one-step encoder: one evaluation at z₀, one step, and one evaluation at z* for its ℓ and ‖∇ℓ‖
/// (2 evaluations). A non-finite value at z₀ leaves z* = z₀; one at z* falls back to z₀ (the last finite
/// point); both give `nonFinite`, per row.
public struct OneStepSolver<O: LatentObjective> {
    public typealias T = O.T
    public let settings: OneStepSettings
    private var loss: [T] = []
    private var gradient = Matrix<T>(rows: 0, cols: 0)

    public init(settings: OneStepSettings) throws(GFEError) {
        try settings.validate()
        self.settings = settings
    }

    public mutating func solve(
        objective: inout O, x: Matrix<T>, z0: Matrix<T>, layout: GroupLayout = .oneGroup
    ) throws(GFEError) -> OneStepSolution<T> {
        let n = x.rows
        let d = objective.latentDim
        try InitialPoint.check(z0, images: n, dim: d, solver: "one-step encoder")
        let ranges = try layout.ranges(rows: n)
        var loss0 = [T](repeating: 0, count: n)
        var gradient0 = Matrix<T>(rows: n, cols: d)
        var z = z0
        var sampleLoss = [Double](repeating: .nan, count: n)
        var sampleNorm = [Double](repeating: .nan, count: n)
        var sampleResult = [SolveResult](repeating: .reachedTau, count: n)
        var sampleTime = [Double](repeating: settings.eta, count: n)
        var evaluations = 0
        if n > 0 {
            objective.checkedLossAndGradient(z: z0, x: x, loss: &loss0, gradient: &gradient0)
            RowOps.eulerStep(into: &z, at: 0, z0, T(settings.eta), gradient0, from: 0, count: n)
            if gradient.cols != d { gradient = Matrix(rows: n, cols: d) } else { gradient.setRows(n) }
            loss.setCount(n)
            objective.checkedLossAndGradient(z: z, x: x, loss: &loss, gradient: &gradient)
            evaluations = 2
            for i in 0..<n {
                if RowOps.finite(loss, gradient, from: i, count: 1) && RowOps.rowFinite(z, row: i) {
                    sampleLoss[i] = Double(loss[i])
                    sampleNorm[i] = RowOps.normInDouble(gradient, row: i)
                } else {
                    // Back to z₀, the last point with (possibly) finite values.
                    RowOps.copyRows(z0, from: i, into: &z, at: i, count: 1)
                    sampleLoss[i] = Double(loss0[i])
                    sampleNorm[i] = RowOps.normInDouble(gradient0, row: i)
                    sampleResult[i] = .nonFinite
                    sampleTime[i] = 0
                }
            }
        }
        let eta = settings.eta
        let statistics = SolveStatistics(
            rowsTogether: ranges, evaluations: evaluations, sampleLoss: sampleLoss, sampleGradientNorm: sampleNorm,
            sampleFinalTime: sampleTime, sampleResult: sampleResult
        ) { r, g in
            let bad = r.contains { sampleResult[$0] == .nonFinite }
            g.attempts = 1
            g.accepted = bad ? 0 : 1
            g.finalTime = bad ? 0 : eta
            g.result = bad ? .nonFinite : .reachedTau
        }
        return OneStepSolution(z: z, statistics: statistics, z0: z0, loss0: loss0, gradient0: gradient0)
    }
}
