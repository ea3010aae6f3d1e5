import GFECore

/// How stiff gradient flow is along a fixed-grid solve, against the Runge–Kutta rule's stability limit.
///
/// Near z(t) the flow dz/dt = −α(t)∇ℓ(z) behaves like dδ/dt = −α(t)H(z)δ, H = ∇²ℓ. Every explicit 4-stage
/// rule of order 4 (the forward solver's and the adjoint's 3/8 rule among them) multiplies an eigencomponent
/// of H with eigenvalue λ by R(−hαλ) per step, R(x) = 1 + x + x²/2 + x³/6 + x⁴/24, and |R(x)| ≤ 1 only
/// for −2.785… ≤ x ≤ 0. The adjoint da/dt = αHa, integrated backwards, has the same factor per interval:
/// where h·α·λ passes the limit, the backward sweep amplifies that component by |R| every interval,
/// whatever the precision.
public enum FlowStiffness {
    /// The stability limit on the negative real axis: |R(−x)| = 1 at x = 2.785293563405….
    public static let rungeKuttaLimit = 2.785293563405282

    /// |R(−x)|: the factor by which one step of h·α·λ = x multiplies its eigencomponent.
    public static func amplification(_ x: Double) -> Double {
        let y = -x
        return abs(1 + y + y * y / 2 + y * y * y / 6 + y * y * y * y / 24)
    }

    /// Each row's Hessian Hᵢ = ∇²_{zᵢ} ℓᵢ at zᵢ, exactly: d Hessian-vector products along the unit vectors,
    /// symmetrised (½(H + Hᵀ), which only removes rounding), row-major d × d.
    public static func hessians<T: Scalar>(
        objective: inout DecoderObjective<T>, z: Matrix<T>, x: Matrix<T>
    ) -> [[Double]] {
        let (n, d) = (z.rows, z.cols)
        var h = [[Double]](repeating: [Double](repeating: 0, count: d * d), count: n)
        var loss: [T] = []
        var gradient = Matrix<T>(rows: n, cols: d)
        var product = Matrix<T>(rows: n, cols: d)
        for j in 0..<d {
            var unit = Matrix<T>(rows: n, cols: d)
            for r in 0..<n { unit[r, j] = 1 }
            objective.hessianProduct(
                z: z, x: x, direction: unit, loss: &loss, gradient: &gradient, hessianProduct: &product)
            for r in 0..<n {
                for i in 0..<d { h[r][i * d + j] = Double(product[r, i]) }
            }
        }
        for r in 0..<n {
            for i in 0..<d {
                for j in (i + 1)..<max(d, i + 1) {
                    let mean = (h[r][i * d + j] + h[r][j * d + i]) / 2
                    h[r][i * d + j] = mean
                    h[r][j * d + i] = mean
                }
            }
        }
        return h
    }

    /// The largest eigenvalue of each row's Hessian at zᵢ (`hessians`, then `eigenvalues`).
    public static func largestEigenvalues<T: Scalar>(
        objective: inout DecoderObjective<T>, z: Matrix<T>, x: Matrix<T>
    ) -> [Double] {
        hessians(objective: &objective, z: z, x: x).map { eigenvalues($0, size: z.cols).last ?? 0 }
    }

    /// The eigenvalues of the symmetric n × n matrix `a` (row-major), ascending: cyclic Jacobi rotations
    /// until the off-diagonal part is below 1e-14 of the matrix's norm (or 100 sweeps). NaN anywhere → NaNs.
    public static func eigenvalues(_ a: [Double], size n: Int) -> [Double] {
        precondition(a.count == n * n, "eigenvalues: \(a.count) entries for a \(n) × \(n) matrix")
        if a.contains(where: { !$0.isFinite }) { return [Double](repeating: .nan, count: n) }
        var m = a
        let norm = m.reduce(0) { $0 + $1 * $1 }.squareRoot()
        for _ in 0..<100 {
            var off = 0.0
            for p in 0..<n { for q in (p + 1)..<max(n, p + 1) { off += m[p * n + q] * m[p * n + q] } }
            if off.squareRoot() <= 1e-14 * norm { break }
            for p in 0..<n {
                for q in (p + 1)..<max(n, p + 1) where m[p * n + q] != 0 {
                    // The rotation that zeroes m[p, q] (Golub & Van Loan, Algorithm 8.4.1).
                    let theta = (m[q * n + q] - m[p * n + p]) / (2 * m[p * n + q])
                    let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                    let c = 1 / (t * t + 1).squareRoot()
                    let s = t * c
                    for k in 0..<n {
                        let (mkp, mkq) = (m[k * n + p], m[k * n + q])
                        m[k * n + p] = c * mkp - s * mkq
                        m[k * n + q] = s * mkp + c * mkq
                    }
                    for k in 0..<n {
                        let (mpk, mqk) = (m[p * n + k], m[q * n + k])
                        m[p * n + k] = c * mpk - s * mqk
                        m[q * n + k] = s * mpk + c * mqk
                    }
                }
            }
        }
        return (0..<n).map { m[$0 * n + $0] }.sorted()
    }
}
