import GFECore

/// The second-order passes of the decoder gradients on a subset of the batch's rows.
///
/// Rows drop out of a backward sweep when their forward pass ended earlier (an AMD group that stopped
/// sooner, a fixed-grid row frozen as non-finite, a one-step row that fell back to z₀) or when a
/// conjugate-gradient solve has finished. Such rows are not evaluated at all: their z may be non-finite,
/// and 0·NaN inside a pass would poison the parameter gradient, which sums over rows. When every row is
/// active the objective is called directly on the caller's matrices; otherwise the active rows are gathered
/// into compact matrices (the images only when the active set changes: one instance serves one batch of
/// images) and the products scattered back.
struct DecoderGradientPasses<T: Scalar> {
    private var loss: [T] = []
    private var gradient = Matrix<T>(rows: 0, cols: 0)
    private var product = Matrix<T>(rows: 0, cols: 0)
    private var zActive = Matrix<T>(rows: 0, cols: 0)
    private var vActive = Matrix<T>(rows: 0, cols: 0)
    private var xActive = Matrix<T>(rows: 0, cols: 0)
    private var activeRows: [Int] = []
    private var gatheredRows: [Int]? = nil
    /// Passes made so far (each one forward plus one forward-over-reverse pass through the decoder).
    private(set) var count = 0

    /// Row i of `hessianProduct` (n × d) ← Hᵢvᵢ for active rows, 0 for the others (Hᵢ = ∇²_{zᵢ}ℓᵢ at zᵢ,
    /// vᵢ = row i of `direction`). When `mixedScale` is given, also
    /// parameterGradient += mixedScale·∂_θ(Σ_{i active} vᵢ·∇_{zᵢ}ℓᵢ) with V held constant.
    /// `active` nil means every row.
    mutating func run(
        _ objective: inout DecoderObjective<T>, z: Matrix<T>, x: Matrix<T>, direction: Matrix<T>, active: [Bool]?,
        mixedScale: T?, parameterGradient: inout [T], hessianProduct out: inout Matrix<T>
    ) {
        let n = z.rows
        let d = z.cols
        if out.rows != n || out.cols != d { out = Matrix(rows: n, cols: d) }
        activeRows.removeAll(keepingCapacity: true)
        for i in 0..<n where active?[i] ?? true { activeRows.append(i) }
        if activeRows.isEmpty {
            RowOps.fill(&out, 0)
            return
        }
        count += 1
        if activeRows.count == n {
            Self.evaluate(
                &objective, z: z, x: x, direction: direction, mixedScale: mixedScale,
                parameterGradient: &parameterGradient, loss: &loss, gradient: &gradient, into: &out)
            return
        }
        let m = activeRows.count
        if zActive.cols != d {
            zActive = Matrix(rows: m, cols: d)
            vActive = Matrix(rows: m, cols: d)
            product = Matrix(rows: m, cols: d)
        }
        zActive.setRows(m)
        vActive.setRows(m)
        for (k, i) in activeRows.enumerated() {
            RowOps.copyRows(z, from: i, into: &zActive, at: k, count: 1)
            RowOps.copyRows(direction, from: i, into: &vActive, at: k, count: 1)
        }
        if gatheredRows != activeRows || xActive.cols != x.cols {
            if xActive.cols != x.cols { xActive = Matrix(rows: m, cols: x.cols) }
            xActive.setRows(m)
            for (k, i) in activeRows.enumerated() { RowOps.copyRows(x, from: i, into: &xActive, at: k, count: 1) }
            gatheredRows = activeRows
        }
        Self.evaluate(
            &objective, z: zActive, x: xActive, direction: vActive, mixedScale: mixedScale,
            parameterGradient: &parameterGradient, loss: &loss, gradient: &gradient, into: &product)
        RowOps.fill(&out, 0)
        for (k, i) in activeRows.enumerated() { RowOps.copyRows(product, from: k, into: &out, at: i, count: 1) }
    }

    private static func evaluate(
        _ objective: inout DecoderObjective<T>, z: Matrix<T>, x: Matrix<T>, direction: Matrix<T>, mixedScale: T?,
        parameterGradient: inout [T], loss: inout [T], gradient: inout Matrix<T>, into out: inout Matrix<T>
    ) {
        if gradient.cols != z.cols { gradient = Matrix(rows: z.rows, cols: z.cols) }
        if let scale = mixedScale {
            objective.secondOrderProducts(
                z: z, x: x, direction: direction, loss: &loss, gradient: &gradient,
                hessianProduct: &out, mixedParameterGradient: &parameterGradient,
                scale: scale, accumulate: true)
        } else {
            objective.hessianProduct(
                z: z, x: x, direction: direction, loss: &loss, gradient: &gradient,
                hessianProduct: &out)
        }
    }
}
