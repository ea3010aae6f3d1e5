import GFECore

/// The settings of exact t-SNE (van der Maaten & Hinton 2008). The defaults are the paper's figures 6–7:
/// perplexity 30, early exaggeration 4, learning rate 100, with the optimiser of the reference
/// implementation (momentum 0.5 then 0.8 from iteration 250, adaptive gains +0.2 / ×0.8 with minimum 0.01,
/// 1,000 iterations).
public struct TSNEOptions: Sendable, Equatable {
    /// The effective number of neighbours: each point's Gaussian is calibrated to entropy log(perplexity) nats.
    public var perplexity: Double = 30
    /// |H_i − log(perplexity)| at which the per-point search on β stops.
    public var entropyTolerance: Double = 1e-5
    /// The longest per-point search (bisection steps on β).
    public var maxCalibrationSteps: Int = 200
    /// Output dimension (2 for plots).
    public var outputDimension: Int = 2
    public var iterations: Int = 1000
    public var learningRate: Double = 100
    /// P is multiplied by this during the first `exaggerationIterations` iterations.
    public var earlyExaggeration: Double = 4
    /// 250 as the brief asks, or 100 as the MATLAB reference (`stop_lying_iter`).
    public var exaggerationIterations: Int = 250
    public var initialMomentum: Double = 0.5
    public var finalMomentum: Double = 0.8
    /// The first iteration using `finalMomentum`.
    public var momentumSwitchIteration: Int = 250
    public var minGain: Double = 0.01
    /// Initial coordinates are N(0, σ²) with σ this value: 1e-2, i.e. N(0, 10⁻⁴ I) as in the 2008 paper's
    /// Algorithm 1 (the MATLAB code uses σ = 1e-4).
    public var initialStandardDeviation: Double = 1e-2
    /// Seed of the project's `RNG`, stream "tsne", that draws the initial coordinates.
    public var seed: UInt64 = 0
    /// Threads for the O(n²) passes; the result does not depend on it.
    public var threads: Int = 2
    /// The KL divergence is recorded every this many iterations (and after the last).
    public var reportEvery: Int = 50

    public init() {}

    /// Throws `badInput` naming the first setting outside its domain, or a perplexity too large for `count` points.
    public func validate(count: Int) throws {
        func bad(_ what: String) -> GFEError { GFEError.badInput("t-SNE: \(what).") }
        guard perplexity > 0, perplexity.isFinite else {
            throw bad("perplexity must be a positive number, got \(perplexity)")
        }
        guard count >= 2 else { throw bad("needs at least 2 points, got \(count)") }
        guard perplexity < Double(count - 1) else {
            throw bad(
                "perplexity \(perplexity) needs more than \(Int(perplexity.rounded(.up)) + 1) points, got \(count); lower the perplexity or embed more points"
            )
        }
        guard entropyTolerance > 0, maxCalibrationSteps > 0 else {
            throw bad("entropyTolerance and maxCalibrationSteps must be positive")
        }
        guard outputDimension >= 1 else { throw bad("outputDimension must be at least 1, got \(outputDimension)") }
        guard iterations >= 0, exaggerationIterations >= 0, momentumSwitchIteration >= 0 else {
            throw bad("iteration counts must be non-negative")
        }
        guard learningRate > 0, earlyExaggeration > 0, minGain > 0, initialStandardDeviation > 0 else {
            throw bad("learningRate, earlyExaggeration, minGain and initialStandardDeviation must be positive")
        }
        guard (0..<1).contains(initialMomentum), (0..<1).contains(finalMomentum) else {
            throw bad("momenta must lie in [0, 1)")
        }
        guard reportEvery >= 1 else { throw bad("reportEvery must be at least 1, got \(reportEvery)") }
    }
}
