import Foundation
import GFECore

/// Settings of the latent-optimisation encoders: z* is found by a fixed number of optimiser steps on
/// ℓᵢ(z) + λ‖zᵢ‖² per image instead of by integrating the gradient flow (a baseline for issue 16).
///
/// - `{"method": "adam", "lr": 5e-3, "steps": 100, "prior": 0}`: Adam on z, as DeepSDF infers latents
///   (PyTorch's Adam: β₁ 0.9, β₂ 0.999, ε 1e-8, bias-corrected moments per element of z).
/// - `{"method": "gd", "lr": 1, "steps": 100}`: plain gradient descent, z ← z − lr·∇.
///
/// Each step costs one decoder forward and one backward pass per image, and the loss and gradient at z* one
/// more, so a solve of `steps` steps costs `steps + 1` passes each way: compare methods at equal cost.
public struct LatentOptimiserSettings: Sendable, Equatable, SettingsFields {
    public enum Rule: String, Sendable, Equatable {
        case adam, gd
    }

    public var rule: Rule
    /// The step size (Adam's lr, or gradient descent's fixed step).
    public var lr: Double
    /// The number of optimiser steps.
    public var steps = 100
    /// λ of the L2 prior λ‖z‖² added to each image's loss (0: none).
    public var prior = 0.0
    public var beta1 = 0.9
    public var beta2 = 0.999
    public var eps = 1e-8
    /// z₀ when the caller does not supply one.
    public var initialPoint: InitialPoint = .zeros

    public init(rule: Rule, lr: Double? = nil, steps: Int = 100, prior: Double = 0) {
        self.rule = rule
        self.lr = lr ?? (rule == .adam ? 5e-3 : 1)
        self.steps = steps
        self.prior = prior
    }

    public static let settingsName = "latent-optimiser settings"

    /// Steps a solve may take: enough for any study, and every count derived from them stays within Int.
    public static let maxSteps = 1_000_000

    public static var fields: [SettingsField<LatentOptimiserSettings>] {
        let adam: (LatentOptimiserSettings) -> Bool = { $0.rule == .adam }
        return [
            .value("lr", \.lr, .positive), .value("steps", \.steps, .within(1...maxSteps)),
            .value("prior", \.prior, .nonNegative), .value("beta1", \.beta1, .unitInterval, applies: adam),
            .value("beta2", \.beta2, .unitInterval, applies: adam), .value("eps", \.eps, .positive, applies: adam),
            .value("initialPoint", \.initialPoint)
        ]
    }

    public static var alsoAllowed: [String] { ["method"] }

    public func validate() throws(GFEError) { try checkRanges() }

    public init(defaultsFor r: SettingsReader) throws {
        let method = try r.choice("method", among: [Rule.adam.rawValue, Rule.gd.rawValue]) ?? Rule.adam.rawValue
        self.init(rule: Rule(rawValue: method)!)
    }
}

/// The latent-optimisation encoder (`LatentOptimiserSettings`). Rows are independent: an image's z* does not
/// depend on the other images of its batch or group. A row whose loss or gradient turns non-finite, or whose
/// step leaves it non-finite, stays at its last finite point and reports `nonFinite`; the others go on.
public struct LatentOptimiserSolver<O: LatentObjective> {
    public typealias T = O.T
    public let settings: LatentOptimiserSettings
    private var loss: [T] = []
    private var gradient = Matrix<T>(rows: 0, cols: 0)

    public init(settings: LatentOptimiserSettings) throws(GFEError) {
        try settings.validate()
        self.settings = settings
    }

    /// z* after `settings.steps` steps from `z0`, with the batch-mean loss ℓ before every step and at z*
    /// (`steps + 1` values: the solve curve, times 0 … steps).
    public mutating func solve(
        objective: inout O, x: Matrix<T>, z0: Matrix<T>, layout: GroupLayout = .oneGroup
    ) throws(GFEError) -> (z: Matrix<T>, statistics: SolveStatistics, meanLoss: [Double]) {
        let n = x.rows
        let d = objective.latentDim
        try InitialPoint.check(z0, images: n, dim: d, solver: "\(settings.rule.rawValue) encoder")
        let ranges = try layout.ranges(rows: n)
        var z = z0
        // The last point of each row whose loss and gradient were finite: where a failing row stays.
        var previous = z0
        var m = Matrix<T>(rows: n, cols: d)
        var v = Matrix<T>(rows: n, cols: d)
        var stopped = [Bool](repeating: false, count: n)
        var meanLoss: [Double] = []
        var next = [T](repeating: 0, count: d)
        if gradient.cols != d { gradient = Matrix(rows: n, cols: d) } else { gradient.setRows(n) }
        loss.setCount(n)
        let steps = n > 0 ? settings.steps : 0
        let lr = T(settings.lr)
        let twoLambda = T(2 * settings.prior)
        let (beta1, beta2, eps) = (T(settings.beta1), T(settings.beta2), T(settings.eps))
        for step in 0...steps where n > 0 {
            objective.checkedLossAndGradient(z: z, x: x, loss: &loss, gradient: &gradient)
            for i in 0..<n where !stopped[i] && !RowOps.finite(loss, gradient, from: i, count: 1) {
                RowOps.copyRows(previous, from: i, into: &z, at: i, count: 1)
                stopped[i] = true
            }
            meanLoss.append(RowOps.meanInDouble(loss, from: 0, count: n))
            guard step < steps else { break }
            previous = z
            // Bias corrections in Double, as PyTorch computes them from the step count.
            let correction1 = T(1 - pow(settings.beta1, Double(step + 1)))
            let correction2 = T(1 - pow(settings.beta2, Double(step + 1)))
            for i in 0..<n where !stopped[i] {
                for j in 0..<d {
                    let g = gradient[i, j] + twoLambda * z[i, j]
                    switch settings.rule {
                    case .gd:
                        next[j] = z[i, j] - lr * g
                    case .adam:
                        m[i, j] = beta1 * m[i, j] + (1 - beta1) * g
                        v[i, j] = beta2 * v[i, j] + (1 - beta2) * g * g
                        next[j] = z[i, j] - lr * (m[i, j] / correction1) / ((v[i, j] / correction2).squareRoot() + eps)
                    }
                }
                if next.allSatisfy(\.isFinite) {
                    for j in 0..<d { z[i, j] = next[j] }
                } else {
                    stopped[i] = true
                }
            }
        }
        // The last evaluation was at z*. A row that stopped reports `nonFinite` (its loss there is the
        // non-finite value, or the finite one of the point it stayed at when its step overflowed).
        var sampleLoss = [Double](repeating: .nan, count: n)
        var sampleNorm = [Double](repeating: .nan, count: n)
        var sampleResult = [SolveResult](repeating: .reachedTau, count: n)
        for i in 0..<n {
            if stopped[i] { sampleResult[i] = .nonFinite }
            sampleLoss[i] = Double(loss[i])
            sampleNorm[i] = RowOps.normInDouble(gradient, row: i)
        }
        let evaluations = n > 0 ? steps + 1 : 0
        let statistics = SolveStatistics(
            rowsTogether: ranges, evaluations: evaluations, sampleLoss: sampleLoss, sampleGradientNorm: sampleNorm,
            sampleFinalTime: [Double](repeating: Double(steps), count: n), sampleResult: sampleResult
        ) { r, g in
            g.attempts = steps
            g.accepted = steps
            g.finalTime = Double(steps)
            g.result = r.contains { sampleResult[$0] == .nonFinite } ? .nonFinite : .reachedTau
        }
        return (z, statistics, meanLoss)
    }
}
