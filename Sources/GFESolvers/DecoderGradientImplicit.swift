import GFECore

/// How one sample's conjugate-gradient solve Hᵢuᵢ = ∇_{zᵢ}ℓᵢ ended.
public enum ImplicitSolveResult: String, Codable, Sendable, CaseIterable {
    /// ‖rᵢ‖ ≤ tolerance·‖∇_{zᵢ}ℓᵢ‖ (including a zero gradient: uᵢ = 0 after no iteration).
    case converged
    /// The iteration budget ran out first; the last iterate uᵢ is used (CG iterates improve monotonically in
    /// the H-norm when H is positive definite).
    case maxIterations
    /// A search direction p had pᵀHᵢp ≤ 0: Hᵢ is not positive definite along the solve, so z*ᵢ is not a strict
    /// local minimum and the implicit-function gradient is undefined. The sample gets uᵢ = 0 (its z*ᵢ held
    /// constant: the approximate gradient).
    case nonPositiveCurvature
    /// The loss or gradient at z*ᵢ, or a product met during the solve, was NaN or ±∞. uᵢ = 0.
    case nonFinite
}

/// The per-sample solves of the `implicit` decoder gradient, so users can judge its validity: the gradient
/// is the implicit-function derivative of a stationary z*, so it means most when ‖∇_{zᵢ}ℓᵢ(z*)‖ is small.
public struct ImplicitSolveStatistics: Codable, Sendable, Equatable {
    /// ‖∇_{zᵢ}ℓᵢ‖ at z* (summed in Double).
    public var sampleGradientNorm: [Double]
    /// Hessian-vector products each sample's solve used.
    public var sampleIterations: [Int]
    /// ‖rᵢ‖ / ‖∇_{zᵢ}ℓᵢ‖ at the end (the recursively updated residual; 0 for a zero gradient; NaN when not
    /// defined, e.g. non-finite values).
    public var sampleRelativeResidual: [Double]
    public var sampleResult: [ImplicitSolveResult]
    /// Batched Hessian-vector passes (each serves all samples still iterating).
    public var hessianPasses: Int

    public init(
        sampleGradientNorm: [Double], sampleIterations: [Int], sampleRelativeResidual: [Double],
        sampleResult: [ImplicitSolveResult], hessianPasses: Int
    ) {
        self.sampleGradientNorm = sampleGradientNorm
        self.sampleIterations = sampleIterations
        self.sampleRelativeResidual = sampleRelativeResidual
        self.sampleResult = sampleResult
        self.hessianPasses = hessianPasses
    }

    init(rows n: Int) {
        self.init(
            sampleGradientNorm: Array(repeating: 0, count: n), sampleIterations: Array(repeating: 0, count: n),
            sampleRelativeResidual: Array(repeating: 0, count: n),
            sampleResult: Array(repeating: .converged, count: n), hessianPasses: 0)
    }

    public var allConverged: Bool { sampleResult.allSatisfy { $0 == .converged } }
    /// Number of samples per result code.
    public var resultCounts: [ImplicitSolveResult: Int] {
        var counts: [ImplicitSolveResult: Int] = [:]
        for r in sampleResult { counts[r, default: 0] += 1 }
        return counts
    }
}

/// Conjugate gradients for n independent SPD systems Hᵢuᵢ = bᵢ (row i of an n × d matrix), batched: every
/// iteration makes one product call for all samples still iterating, and each sample has its own step
/// α = rᵀr / pᵀHp, update β = r'ᵀr' / rᵀr, stop and result. Dot products and α, β are in Double.
enum BatchedConjugateGradient {
    /// Solves from u = 0. `product(P, active, &HP)` must set row i of HP to Hᵢpᵢ for every active row (other
    /// rows are ignored). Rows with `eligible[i] == false` are not solved (result `nonFinite`, u = 0).
    static func solve<T: Scalar>(
        rhs b: Matrix<T>, eligible: [Bool], tolerance: Double, maxIterations: Int,
        product: (Matrix<T>, [Bool], inout Matrix<T>) -> Void
    ) -> (solution: Matrix<T>, statistics: ImplicitSolveStatistics) {
        let (n, d) = (b.rows, b.cols)
        var stats = ImplicitSolveStatistics(rows: n)
        var u = Matrix<T>(rows: n, cols: d)
        var r = b
        var p = b
        var hp = Matrix<T>(rows: n, cols: d)
        var rs = [Double](repeating: 0, count: n)
        var running = [Bool](repeating: false, count: n)
        for i in 0..<n {
            let norm = rowDot(b, i, b, i).squareRoot()
            stats.sampleGradientNorm[i] = norm
            if !eligible[i] || !norm.isFinite {
                stats.sampleResult[i] = .nonFinite
                stats.sampleRelativeResidual[i] = .nan
            } else if norm == 0 {
                stats.sampleResult[i] = .converged
            } else {
                rs[i] = norm * norm
                running[i] = true
                stats.sampleRelativeResidual[i] = 1
            }
        }
        while running.contains(true) {
            product(p, running, &hp)
            stats.hessianPasses += 1
            for i in 0..<n where running[i] {
                let curvature = rowDot(p, i, hp, i)
                guard curvature.isFinite else {
                    stop(i, .nonFinite, &u, &running, &stats)
                    stats.sampleRelativeResidual[i] = .nan
                    continue
                }
                guard curvature > 0 else {
                    stop(i, .nonPositiveCurvature, &u, &running, &stats)
                    continue
                }
                let alpha = rs[i] / curvature
                let (a, ta) = (T(alpha), T(-alpha))
                for c in 0..<d {
                    u[i, c] += a * p[i, c]
                    r[i, c] += ta * hp[i, c]
                }
                stats.sampleIterations[i] += 1
                let rsNew = rowDot(r, i, r, i)
                let relative = rsNew.squareRoot() / stats.sampleGradientNorm[i]
                stats.sampleRelativeResidual[i] = relative
                if !relative.isFinite {
                    stop(i, .nonFinite, &u, &running, &stats)
                } else if relative <= tolerance {
                    stats.sampleResult[i] = .converged
                    running[i] = false
                } else if stats.sampleIterations[i] >= maxIterations {
                    stats.sampleResult[i] = .maxIterations
                    running[i] = false
                } else {
                    let beta = T(rsNew / rs[i])
                    for c in 0..<d { p[i, c] = r[i, c] + beta * p[i, c] }
                    rs[i] = rsNew
                }
            }
        }
        return (u, stats)
    }

    /// Ends sample i's solve with `result` and u_i = 0.
    private static func stop<T: Scalar>(
        _ i: Int, _ result: ImplicitSolveResult, _ u: inout Matrix<T>, _ running: inout [Bool],
        _ stats: inout ImplicitSolveStatistics
    ) {
        for c in 0..<u.cols { u[i, c] = 0 }
        running[i] = false
        stats.sampleResult[i] = result
    }

    /// Σ_c x[i, c]·y[j, c] in Double.
    static func rowDot<T: Scalar>(_ x: Matrix<T>, _ i: Int, _ y: Matrix<T>, _ j: Int) -> Double {
        var s = 0.0
        for c in 0..<x.cols { s += Double(x[i, c]) * Double(y[j, c]) }
        return s
    }
}

/// The `implicit` decoder gradient. At a stationary z*, g(z*, θ) = 0 defines z*(θ), so
/// dz*/dθ = −H⁻¹∂_θg and dL/dθ = ∂_θL + gᵀdz*/dθ = ∂_θL − ∂_θ(u·g(z*, θ)) with Hu = g, u held constant.
/// Samples whose solve ended `nonPositiveCurvature` or `nonFinite` get u = 0 (the approximate gradient).
enum DecoderGradientImplicit {
    /// `loss` and `gradient` are ℓ and ∇_z L at z* (rows with non-finite values are not solved);
    /// `parameterGradient` holds ∂_θL(z*) on entry and dL/dθ on exit.
    static func correct<T: Scalar>(
        z: Matrix<T>, loss: [T], gradient: Matrix<T>, tolerance: Double, maxIterations: Int,
        objective: inout DecoderObjective<T>, x: Matrix<T>, passes: inout DecoderGradientPasses<T>,
        parameterGradient: inout [T]
    ) -> ImplicitSolveStatistics {
        let n = z.rows
        let eligible = (0..<n).map { loss[$0].isFinite && RowOps.rowFinite(gradient, row: $0) }
        let (u, stats) = BatchedConjugateGradient.solve(
            rhs: gradient, eligible: eligible, tolerance: tolerance, maxIterations: maxIterations
        ) { p, active, hp in
            passes.run(
                &objective, z: z, x: x, direction: p, active: active, mixedScale: nil,
                parameterGradient: &parameterGradient, hessianProduct: &hp)
        }
        let used = (0..<n).map { stats.sampleResult[$0] == .converged || stats.sampleResult[$0] == .maxIterations }
        if used.contains(true) {
            var unused = Matrix<T>(rows: n, cols: z.cols)
            passes.run(
                &objective, z: z, x: x, direction: u, active: used, mixedScale: -1,
                parameterGradient: &parameterGradient, hessianProduct: &unused)
        }
        return stats
    }
}
