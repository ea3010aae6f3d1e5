import Foundation
import GFECore

/// The input-space affinities of t-SNE.
///
/// For each point i, the conditional distribution P_{j|i} = exp(−β_i d_ij) / Σ_{k≠i} exp(−β_i d_ik)
/// (d_ij the squared Euclidean distance, P_{i|i} = 0), with β_i found by bisection so that its entropy
/// H_i = −Σ_j P_{j|i} ln P_{j|i} equals ln(perplexity) to within `entropyTolerance` nats. The joint
/// affinities are P_ij = (P_{j|i} + P_{i|j}) / 2n: symmetric, zero diagonal, summing to 1.
public struct TSNEAffinities: Sendable {
    public let count: Int
    /// Joint P, row-major count × count.
    public let joint: [Double]
    /// β_i = 1 / (2σ_i²) per point.
    public let betas: [Double]
    /// The entropy H_i (nats) each point's calibration reached.
    public let entropies: [Double]
    /// max_i |H_i − ln(perplexity)|: within the tolerance unless a point's distances made the target
    /// unreachable (e.g. all its neighbours at one distance).
    public let maxEntropyError: Double

    /// `points` row-major count × dimension, finite. Throws `badInput` for a size mismatch, non-finite
    /// values or invalid options.
    public static func compute(points: [Double], count: Int, dimension: Int, options: TSNEOptions) throws
        -> TSNEAffinities
    {
        try options.validate(count: count)
        guard dimension >= 1, points.count == count * dimension else {
            throw GFEError.badInput(
                "t-SNE: expected \(count) points × \(dimension) coordinates = \(count * max(dimension, 0)) values, got \(points.count)."
            )
        }
        if let bad = points.firstIndex(where: { !$0.isFinite }) {
            throw GFEError.badInput(
                "t-SNE: coordinate \(bad % dimension) of point \(bad / dimension) is \(points[bad]); every coordinate must be finite."
            )
        }
        let n = count
        var joint = [Double](repeating: 0, count: n * n)
        var betas = [Double](repeating: 1, count: n)
        var entropies = [Double](repeating: 0, count: n)
        let target = log(options.perplexity)
        points.withUnsafeBufferPointer { x in
            let xs = SharedPointer(UnsafeMutablePointer(mutating: x.baseAddress!))
            joint.withUnsafeMutableBufferPointer { p in
                betas.withUnsafeMutableBufferPointer { b in
                    entropies.withUnsafeMutableBufferPointer { h in
                        let (pp, bb, hh) = (
                            SharedPointer(p.baseAddress!), SharedPointer(b.baseAddress!), SharedPointer(h.baseAddress!)
                        )
                        RowParallel.forEachBlock(count: n, threads: options.threads) { rows in
                            var distances = [Double](repeating: 0, count: n)
                            for i in rows {
                                squaredDistances(from: i, xs.base, n, dimension, into: &distances)
                                let (beta, entropy) = calibrate(
                                    distances, i, target: target, options: options,
                                    row: pp.base + i * n)
                                bb.base[i] = beta
                                hh.base[i] = entropy
                            }
                        }
                    }
                }
            }
        }
        // Symmetrise the conditional rows in place: P_ij = P_ji = (P_{j|i} + P_{i|j}) / 2n.
        let scale = 1 / (2 * Double(n))
        for i in 0..<n {
            for j in (i + 1)..<n {
                let v = (joint[i * n + j] + joint[j * n + i]) * scale
                joint[i * n + j] = v
                joint[j * n + i] = v
            }
        }
        let maxError = entropies.map { abs($0 - target) }.max() ?? 0
        return TSNEAffinities(count: n, joint: joint, betas: betas, entropies: entropies, maxEntropyError: maxError)
    }

    private static func squaredDistances(
        from i: Int, _ x: UnsafeMutablePointer<Double>, _ n: Int, _ d: Int,
        into out: inout [Double]
    ) {
        let xi = x + i * d
        for j in 0..<n {
            let xj = x + j * d
            var s = 0.0
            for k in 0..<d {
                let t = xi[k] - xj[k]
                s += t * t
            }
            out[j] = s
        }
    }

    /// Bisection on β for one row (the reference's scheme: double or halve β until the target entropy is
    /// bracketed, then take midpoints). Writes P_{·|i} into `row` and returns (β_i, H_i).
    ///
    /// Distances are shifted by the smallest one before exponentiating — P and H do not change, but
    /// exp no longer underflows to an all-zero row when distances are large.
    private static func calibrate(
        _ distances: [Double], _ i: Int, target: Double, options: TSNEOptions,
        row: UnsafeMutablePointer<Double>
    ) -> (Double, Double) {
        let n = distances.count
        var nearest = Double.infinity
        for j in 0..<n where j != i { nearest = min(nearest, distances[j]) }

        // Fills `row` with P_{·|i} for `beta` and returns its entropy.
        func entropy(_ beta: Double) -> Double {
            var sum = 0.0
            var weighted = 0.0
            for j in 0..<n {
                if j == i {
                    row[j] = 0
                    continue
                }
                let shifted = distances[j] - nearest
                let e = exp(-beta * shifted)
                row[j] = e
                sum += e
                weighted += shifted * e
            }
            for j in 0..<n { row[j] /= sum }
            return log(sum) + beta * weighted / sum
        }

        var beta = 1.0
        var low = -Double.infinity
        var high = Double.infinity
        var h = entropy(beta)
        var steps = 0
        while abs(h - target) > options.entropyTolerance && steps < options.maxCalibrationSteps {
            if h > target {  // too flat: sharpen
                low = beta
                beta = high.isInfinite ? beta * 2 : (beta + high) / 2
            } else {
                high = beta
                beta = low.isInfinite ? beta / 2 : (beta + low) / 2
            }
            h = entropy(beta)
            steps += 1
        }
        return (beta, h)
    }
}
