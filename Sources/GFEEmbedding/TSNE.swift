import Foundation
import GFECore

/// The KL divergence of an embedding at one iteration of the optimisation.
public struct TSNEProgress: Sendable, Equatable {
    /// Iterations completed.
    public let iteration: Int
    /// KL(P‖Q) with the unexaggerated P.
    public let klDivergence: Double
}

/// An embedding found by `TSNE.embed`.
public struct TSNEResult: Sendable {
    public let count: Int
    public let dimension: Int
    /// Row-major count × dimension, centred (each coordinate has mean 0).
    public let embedding: [Double]
    /// KL(P‖Q) of the final embedding.
    public let klDivergence: Double
    /// KL after iterations reportEvery, 2·reportEvery, … and after the last iteration.
    public let history: [TSNEProgress]
    /// The affinity calibration's largest entropy error (nats), see `TSNEAffinities`.
    public let maxEntropyError: Double

    /// Coordinate k of point i.
    public func coordinate(_ i: Int, _ k: Int) -> Double { embedding[i * dimension + k] }
}

/// Exact t-SNE (van der Maaten & Hinton 2008), O(n²) per iteration: fine for a few thousand points.
///
/// Optimisation as the reference implementation: Y⁽⁰⁾ ~ N(0, σ²) drawn row by row from
/// `RNG(seed:stream: "tsne")`; then per iteration t = 0, 1, …: g = ∂C/∂Y with P exaggerated while
/// t < exaggerationIterations; per coordinate, gain ← gain + 0.2 if sign(g) ≠ sign(Δ) else gain × 0.8,
/// at least minGain (signs −1, 0, +1, so the first step raises every gain); Δ ← μ Δ − η · gain · g with
/// μ = initialMomentum while t < momentumSwitchIteration, else finalMomentum; Y ← Y + Δ; Y ← Y − mean(Y).
/// Deterministic for a seed and independent of `threads`.
public enum TSNE {
    /// Embeds `count` points of `dimension` coordinates (row-major in `points`).
    public static func embed(
        _ points: [Double], count: Int, dimension: Int,
        options: TSNEOptions = TSNEOptions()
    ) throws -> TSNEResult {
        let affinities = try TSNEAffinities.compute(
            points: points, count: count, dimension: dimension, options: options)
        return optimise(affinities, options: options)
    }

    /// Embeds rows of equal length (e.g. latent vectors converted from Float).
    public static func embed<T: BinaryFloatingPoint>(rows: [[T]], options: TSNEOptions = TSNEOptions()) throws
        -> TSNEResult
    {
        let d = rows.first?.count ?? 0
        if let bad = rows.firstIndex(where: { $0.count != d }) {
            throw GFEError.badInput(
                "t-SNE: point \(bad) has \(rows[bad].count) coordinates, point 0 has \(d); every point needs the same number."
            )
        }
        var flat: [Double] = []
        flat.reserveCapacity(rows.count * d)
        for row in rows { for v in row { flat.append(Double(v)) } }
        return try embed(flat, count: rows.count, dimension: d, options: options)
    }

    /// Gradient descent from the seeded initial embedding on given affinities.
    public static func optimise(_ affinities: TSNEAffinities, options: TSNEOptions) -> TSNEResult {
        let n = affinities.count
        let m = options.outputDimension
        var rng = RNG(seed: options.seed, stream: "tsne")
        var y = (0..<(n * m)).map { _ in options.initialStandardDeviation * rng.normal() }
        var gradient = [Double](repeating: 0, count: n * m)
        var update = [Double](repeating: 0, count: n * m)
        var gains = [Double](repeating: 1, count: n * m)
        var kernel = [Double](repeating: 0, count: n * n)
        var history: [TSNEProgress] = []
        var lastKL = Double.nan

        for t in 0..<options.iterations {
            let exaggeration = t < options.exaggerationIterations ? options.earlyExaggeration : 1
            let momentum = t < options.momentumSwitchIteration ? options.initialMomentum : options.finalMomentum
            let report = (t + 1) % options.reportEvery == 0 || t + 1 == options.iterations
            TSNEGradient.evaluate(
                joint: affinities.joint, embedding: y, count: n, dimension: m,
                exaggeration: exaggeration, threads: options.threads,
                computeKL: false, gradient: &gradient, kernel: &kernel)
            for k in 0..<(n * m) {
                let g = gradient[k]
                gains[k] = sign(g) != sign(update[k]) ? gains[k] + 0.2 : gains[k] * 0.8
                if gains[k] < options.minGain { gains[k] = options.minGain }
                update[k] = momentum * update[k] - options.learningRate * gains[k] * g
                y[k] += update[k]
            }
            centre(&y, n, m)
            if report {
                lastKL = klDivergence(affinities, y, n, m, threads: options.threads)
                history.append(TSNEProgress(iteration: t + 1, klDivergence: lastKL))
            }
        }
        if options.iterations == 0 { lastKL = klDivergence(affinities, y, n, m, threads: options.threads) }
        return TSNEResult(
            count: n, dimension: m, embedding: y, klDivergence: lastKL, history: history,
            maxEntropyError: affinities.maxEntropyError)
    }

    /// KL(P‖Q) of an embedding.
    static func klDivergence(_ a: TSNEAffinities, _ y: [Double], _ n: Int, _ m: Int, threads: Int) -> Double {
        var scratch = [Double](repeating: 0, count: n * m)
        return TSNEGradient.evaluate(
            joint: a.joint, embedding: y, count: n, dimension: m, threads: threads,
            computeKL: true, gradient: &scratch)
    }

    private static func sign(_ v: Double) -> Int { v > 0 ? 1 : (v < 0 ? -1 : 0) }

    /// Subtracts each coordinate's mean (summed in row order).
    private static func centre(_ y: inout [Double], _ n: Int, _ m: Int) {
        for k in 0..<m {
            var s = 0.0
            for i in 0..<n { s += y[i * m + k] }
            let mean = s / Double(n)
            for i in 0..<n { y[i * m + k] -= mean }
        }
    }
}
