import Foundation

/// The t-SNE cost and gradient for an embedding Y (n × m, row-major) and joint affinities P.
///
/// With w_ij = (1 + |y_i − y_j|²)⁻¹, Z = Σ_{k≠l} w_kl and q_ij = w_ij / Z, the gradient is
/// ∂C/∂y_i = 4 Σ_j (α p_ij − q_ij) w_ij (y_i − y_j), where α is the early exaggeration (1 outside it; for
/// α = 1 this is the exact gradient of C = KL(P‖Q) = Σ_{i≠j} p_ij ln(p_ij / q_ij)). Every row's sums run
/// over j in increasing order and Z is summed over rows in order, so the result is bitwise the same for any
/// thread count.
public enum TSNEGradient {
    /// Writes ∂C/∂Y into `gradient` (n·m values) and returns KL(P‖Q) (with the unexaggerated P) when
    /// `computeKL`, else NaN. `kernel`, when given, is n·n scratch space for the w_ij (saves computing
    /// them twice); otherwise it is allocated.
    @discardableResult
    public static func evaluate(
        joint p: [Double], embedding y: [Double], count n: Int, dimension m: Int,
        exaggeration: Double = 1, threads: Int = 1, computeKL: Bool = true,
        gradient: inout [Double], kernel: inout [Double]
    ) -> Double {
        precondition(
            p.count == n * n && y.count == n * m && gradient.count == n * m && kernel.count == n * n,
            "TSNEGradient: size mismatch")
        var rowSums = [Double](repeating: 0, count: n)
        var rowKL = [Double](repeating: 0, count: n)
        p.withUnsafeBufferPointer { pb in
            y.withUnsafeBufferPointer { yb in
                let pp = SharedPointer(UnsafeMutablePointer(mutating: pb.baseAddress!))
                let yy = SharedPointer(UnsafeMutablePointer(mutating: yb.baseAddress!))
                kernel.withUnsafeMutableBufferPointer { wb in
                    let ww = SharedPointer(wb.baseAddress!)
                    rowSums.withUnsafeMutableBufferPointer { sb in
                        let ss = SharedPointer(sb.baseAddress!)
                        // Pass 1: w_ij for each row, and the row sums for the normaliser Z.
                        RowParallel.forEachBlock(count: n, threads: threads) { rows in
                            for i in rows { ss.base[i] = kernelRow(i, yy.base, n, m, into: ww.base + i * n) }
                        }
                    }
                    var z = 0.0
                    for s in rowSums { z += s }
                    let inverseZ = 1 / z
                    gradient.withUnsafeMutableBufferPointer { gb in
                        rowKL.withUnsafeMutableBufferPointer { kb in
                            let (gg, kk) = (SharedPointer(gb.baseAddress!), SharedPointer(kb.baseAddress!))
                            // Pass 2: the gradient rows (and each row's KL terms).
                            RowParallel.forEachBlock(count: n, threads: threads) { rows in
                                for i in rows {
                                    gradientRow(
                                        i, yy.base, pp.base + i * n, ww.base + i * n, n, m,
                                        exaggeration: exaggeration, inverseZ: inverseZ, into: gg.base + i * m)
                                    if computeKL {
                                        let pi = pp.base + i * n
                                        let wi = ww.base + i * n
                                        var kl = 0.0
                                        for j in 0..<n where j != i && pi[j] > 0 {
                                            kl += pi[j] * log(pi[j] / (wi[j] * inverseZ))
                                        }
                                        kk.base[i] = kl
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        guard computeKL else { return .nan }
        var total = 0.0
        for v in rowKL { total += v }
        return total
    }

    /// `evaluate` with its own scratch space.
    @discardableResult
    public static func evaluate(
        joint p: [Double], embedding y: [Double], count n: Int, dimension m: Int,
        exaggeration: Double = 1, threads: Int = 1, computeKL: Bool = true,
        gradient: inout [Double]
    ) -> Double {
        var kernel = [Double](repeating: 0, count: n * n)
        return evaluate(
            joint: p, embedding: y, count: n, dimension: m, exaggeration: exaggeration, threads: threads,
            computeKL: computeKL, gradient: &gradient, kernel: &kernel)
    }

    /// w_ij for j = 0..<n (w_ii = 0); returns Σ_j w_ij. Two dimensions get their own loop (the plots' case).
    private static func kernelRow(
        _ i: Int, _ y: UnsafeMutablePointer<Double>, _ n: Int, _ m: Int,
        into w: UnsafeMutablePointer<Double>
    ) -> Double {
        var s = 0.0
        if m == 2 {
            let (a, b) = (y[2 * i], y[2 * i + 1])
            for j in 0..<n {
                let dx = a - y[2 * j]
                let dy = b - y[2 * j + 1]
                w[j] = 1 / (1 + (dx * dx + dy * dy))
            }
        } else {
            let yi = y + i * m
            for j in 0..<n {
                let yj = y + j * m
                var d2 = 0.0
                for k in 0..<m {
                    let t = yi[k] - yj[k]
                    d2 += t * t
                }
                w[j] = 1 / (1 + d2)
            }
        }
        w[i] = 0
        for j in 0..<n { s += w[j] }
        return s
    }

    /// g_i = 4 Σ_j (α p_ij − w_ij / Z) w_ij (y_i − y_j), summed over j in order.
    private static func gradientRow(
        _ i: Int, _ y: UnsafeMutablePointer<Double>, _ p: UnsafeMutablePointer<Double>,
        _ w: UnsafeMutablePointer<Double>, _ n: Int, _ m: Int,
        exaggeration: Double, inverseZ: Double, into g: UnsafeMutablePointer<Double>
    ) {
        if m == 2 {
            let (a, b) = (y[2 * i], y[2 * i + 1])
            var gx = 0.0
            var gy = 0.0
            for j in 0..<n {
                let c = 4 * (exaggeration * p[j] - w[j] * inverseZ) * w[j]
                gx += c * (a - y[2 * j])
                gy += c * (b - y[2 * j + 1])
            }
            g[0] = gx
            g[1] = gy
        } else {
            let yi = y + i * m
            for k in 0..<m { g[k] = 0 }
            for j in 0..<n {
                let c = 4 * (exaggeration * p[j] - w[j] * inverseZ) * w[j]
                let yj = y + j * m
                for k in 0..<m { g[k] += c * (yi[k] - yj[k]) }
            }
        }
    }
}
