import Foundation
import GFECore
import Testing

@testable import GFEEmbedding

/// `count` points of `dimension` standard normal coordinates, row-major.
private func gaussianPoints(_ count: Int, _ dimension: Int, seed: UInt64) -> [Double] {
    var g = RNG(seed: seed)
    return (0..<(count * dimension)).map { _ in g.normal() }
}

/// Clusters of `perCluster` points around 8·e_c (c = 0..<clusters) with unit spread, in 10 dimensions.
private func clusters(_ clusters: Int, perCluster: Int, seed: UInt64) -> (points: [Double], labels: [Int]) {
    var g = RNG(seed: seed)
    var points: [Double] = []
    var labels: [Int] = []
    // Interleave the clusters so that point order says nothing about the label.
    for _ in 0..<perCluster {
        for c in 0..<clusters {
            points += (0..<10).map { k in (k == c ? 8 : 0) + g.normal() }
            labels.append(c)
        }
    }
    return (points, labels)
}

@Suite("t-SNE")
struct TSNETests {
    @Test(
        "Each point's Gaussian has entropy ln(perplexity) to 1e-5, and P is the symmetrised conditional",
        arguments: [10.0, 30.0])
    func perplexityCalibration(perplexity: Double) throws {
        let (n, d) = (120, 5)
        let x = gaussianPoints(n, d, seed: 1).map { $0 * 3 }
        var options = TSNEOptions()
        options.perplexity = perplexity
        let a = try TSNEAffinities.compute(points: x, count: n, dimension: d, options: options)

        // Recompute P_{j|i} from the returned β_i directly from the definition.
        var conditional = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        var worst = 0.0
        for i in 0..<n {
            var row = [Double](repeating: 0, count: n)
            for j in 0..<n where j != i {
                let d2 = (0..<d).reduce(0.0) { $0 + pow(x[i * d + $1] - x[j * d + $1], 2) }
                row[j] = exp(-a.betas[i] * d2)
            }
            let s = row.reduce(0, +)
            row = row.map { $0 / s }
            let h = -row.filter { $0 > 0 }.reduce(0.0) { $0 + $1 * log($1) }
            worst = max(worst, abs(h - log(perplexity)))
            conditional[i] = row
        }
        #expect(worst <= 1e-5 + 1e-10, "worst entropy error \(worst)")
        #expect(a.maxEntropyError <= 1e-5)

        var total = 0.0
        var worstJoint = 0.0
        for i in 0..<n {
            #expect(a.joint[i * n + i] == 0)
            for j in 0..<n {
                let expected = (conditional[i][j] + conditional[j][i]) / Double(2 * n)
                worstJoint = max(worstJoint, abs(a.joint[i * n + j] - expected) / max(expected, 1e-300))
                total += a.joint[i * n + j]
                #expect(a.joint[i * n + j] == a.joint[j * n + i])
            }
        }
        #expect(worstJoint < 1e-9, "worst relative joint error \(worstJoint)")
        #expect(abs(total - 1) < 1e-12)
    }

    @Test("Far-apart points (squared distances ~1e6) still calibrate: no underflow to an empty row")
    func largeDistances() throws {
        let x = gaussianPoints(60, 3, seed: 2).map { $0 * 1000 }
        var options = TSNEOptions()
        options.perplexity = 10
        let a = try TSNEAffinities.compute(points: x, count: 60, dimension: 3, options: options)
        #expect(a.maxEntropyError <= 1e-5)
        #expect(a.joint.allSatisfy { $0.isFinite })
    }

    /// KL(P‖Q) computed from the definition, plus (α − 1) Σ p_ij ln(1 + |y_i − y_j|²), whose gradient
    /// is the exaggeration term 4(α − 1) Σ_j p_ij w_ij (y_i − y_j).
    private func cost(_ p: [Double], _ y: [Double], _ n: Int, _ m: Int, exaggeration: Double) -> Double {
        var w = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0..<n where i != j {
                w[i * n + j] = 1 / (1 + (0..<m).reduce(0.0) { $0 + pow(y[i * m + $1] - y[j * m + $1], 2) })
            }
        }
        let z = w.reduce(0, +)
        var c = 0.0
        for i in 0..<n {
            for j in 0..<n where i != j {
                let pij = p[i * n + j]
                c += pij * log(pij / (w[i * n + j] / z)) + (exaggeration - 1) * pij * log(1 / w[i * n + j])
            }
        }
        return c
    }

    @Test(
        "The gradient matches central finite differences of the KL cost (with and without exaggeration)",
        arguments: [1.0, 4.0])
    func gradientFiniteDifferences(exaggeration: Double) throws {
        let (n, m) = (7, 2)
        var g = RNG(seed: 3)
        var p = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in (i + 1)..<n {
                let v = 0.05 + g.nextDouble()
                p[i * n + j] = v
                p[j * n + i] = v
            }
        }
        let sum = p.reduce(0, +)
        p = p.map { $0 / sum }
        let y = (0..<(n * m)).map { _ in g.normal() }

        var gradient = [Double](repeating: 0, count: n * m)
        let kl = TSNEGradient.evaluate(
            joint: p, embedding: y, count: n, dimension: m, exaggeration: exaggeration,
            threads: 1, gradient: &gradient)
        #expect(abs(kl - cost(p, y, n, m, exaggeration: 1)) < 1e-12)
        let h = 1e-5
        for k in 0..<(n * m) {
            var plus = y
            var minus = y
            plus[k] += h
            minus[k] -= h
            let fd =
                (cost(p, plus, n, m, exaggeration: exaggeration) - cost(p, minus, n, m, exaggeration: exaggeration))
                / (2 * h)
            #expect(
                abs(gradient[k] - fd) <= 1e-8 + 1e-6 * abs(fd),
                "coordinate \(k): analytic \(gradient[k]), finite difference \(fd)")
        }
    }

    @Test("Well-separated Gaussian clusters stay separated: nearest-neighbour labels agree ≥ 95 %")
    func clustersSeparate() throws {
        let (x, labels) = clusters(4, perCluster: 50, seed: 4)
        var options = TSNEOptions()
        options.iterations = 500
        let result = try TSNE.embed(x, count: 200, dimension: 10, options: options)
        #expect(result.embedding.count == 400 && result.embedding.allSatisfy { $0.isFinite })
        var agree = 0
        for i in 0..<200 {
            var best = -1
            var bestD = Double.infinity
            for j in 0..<200 where j != i {
                let d =
                    pow(result.coordinate(i, 0) - result.coordinate(j, 0), 2)
                    + pow(result.coordinate(i, 1) - result.coordinate(j, 1), 2)
                if d < bestD {
                    bestD = d
                    best = j
                }
            }
            if labels[best] == labels[i] { agree += 1 }
        }
        #expect(Double(agree) / 200 >= 0.95, "agreement \(agree) / 200")
        // The KL divergence is recorded every 50 iterations and falls once exaggeration ends.
        #expect(result.history.map(\.iteration) == Array(stride(from: 50, through: 500, by: 50)))
        #expect(result.klDivergence == result.history.last?.klDivergence)
        #expect(result.klDivergence < result.history[4].klDivergence)
        // Centred output.
        for k in 0..<2 { #expect(abs((0..<200).reduce(0.0) { $0 + result.coordinate($1, k) }) < 1e-9) }
    }

    @Test("Same seed ⇒ the same embedding bit for bit, for 1 or 2 threads; another seed differs")
    func deterministic() throws {
        let x = gaussianPoints(100, 4, seed: 5)
        var options = TSNEOptions()
        options.perplexity = 10
        options.iterations = 120
        options.seed = 11
        options.threads = 2
        let a = try TSNE.embed(x, count: 100, dimension: 4, options: options)
        let b = try TSNE.embed(x, count: 100, dimension: 4, options: options)
        options.threads = 1
        let c = try TSNE.embed(x, count: 100, dimension: 4, options: options)
        options.seed = 12
        let d = try TSNE.embed(x, count: 100, dimension: 4, options: options)
        #expect(a.embedding == b.embedding)
        #expect(a.embedding == c.embedding)
        #expect(a.klDivergence == c.klDivergence)
        #expect(a.embedding != d.embedding)
    }

    @Test("The initial embedding is N(0, σ²) from the RNG stream \"tsne\"")
    func initialisation() throws {
        let x = gaussianPoints(40, 3, seed: 6)
        var options = TSNEOptions()
        options.perplexity = 5
        options.iterations = 0
        options.seed = 3
        let result = try TSNE.embed(x, count: 40, dimension: 3, options: options)
        var rng = RNG(seed: 3, stream: "tsne")
        let expected = (0..<80).map { _ in 0.01 * rng.normal() }  // row by row; centring comes with each step
        #expect(result.embedding == expected)
        #expect(result.klDivergence.isFinite && result.klDivergence > 0)
    }

    @Test("Bad input is a clear error")
    func badInput() {
        var options = TSNEOptions()
        #expect(throws: GFEError.self) {
            try TSNE.embed([Double](repeating: 0, count: 20 * 2), count: 20, dimension: 2, options: options)
        }
        options.perplexity = 5
        #expect(throws: GFEError.self) { try TSNE.embed([1, 2, 3], count: 20, dimension: 2, options: options) }
        #expect(throws: GFEError.self) {
            try TSNE.embed([Double](repeating: .nan, count: 40), count: 20, dimension: 2, options: options)
        }
        #expect(throws: GFEError.self) { try TSNE.embed(rows: [[1.0, 2], [3]], options: options) }
    }
}
