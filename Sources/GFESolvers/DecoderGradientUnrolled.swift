import GFECore

/// The `unrolled` decoder gradient: reverse-mode differentiation through the solver's discrete steps, the
/// exact gradient of the computed z* with every step size (and the step sequence) held constant.
///
/// Each routine starts from a = ∂L/∂z* = ∇_z L(z*) and walks the recorded forward pass backwards, keeping
/// a = ∂L/∂(current state). Every evaluation f(z) = −c·∇_z L(z, θ) met on the way contributes, for the
/// adjoint w of its output, Jᵀw = −c·H(z)w to the adjoint of its input and −c·∂_θ(w·∇_z L(z, θ)) to dL/dθ;
/// both come exactly from one `secondOrderProducts` pass with direction u = −c·w (H·u and ∂_θ(u·∇_z L)).
/// `parameterGradient` already holds ∂_θ L(z*); the routines add the rest.
enum DecoderGradientUnrolled {
    /// One-step encoder, z* = z₀ − η∇L(z₀): dL/dθ = ∂_θL(z*) − η·∂_θ(a·∇_z L(z₀)), a = ∇_z L(z*). Rows whose
    /// step was undone as non-finite (z* = z₀, independent of θ) get no correction.
    static func oneStep<T: Scalar>(
        eta: Double, z0: Matrix<T>, statistics: SolveStatistics, adjoint a: Matrix<T>,
        objective: inout DecoderObjective<T>, x: Matrix<T>, passes: inout DecoderGradientPasses<T>,
        parameterGradient: inout [T]
    ) {
        var u = Matrix<T>(rows: a.rows, cols: a.cols)
        RowOps.scale(-T(eta), a, into: &u)
        let active = statistics.sampleResult.map { $0 != .nonFinite }
        var product = Matrix<T>(rows: 0, cols: a.cols)
        passes.run(
            &objective, z: z0, x: x, direction: u, active: active, mixedScale: 1,
            parameterGradient: &parameterGradient, hessianProduct: &product)
    }

    /// AMD through its accepted Euler steps z_{k+1} = z_k − h_k∇L(z_k), h_k = T(dt_k) as recorded (forced
    /// accepts are ordinary steps of their tiny dt; rejected attempts did not move z). Backwards, per group:
    ///
    ///     u = −h_k·a;   dL/dθ += ∂_θ(u·∇_z L(z_k));   a ← a + H(z_k)·u
    ///
    /// All groups sweep together, aligned at their last step (groups with fewer steps drop out).
    static func amd<T: Scalar>(
        trajectory: AMDTrajectory<T>, groups: [GroupStatistics], adjoint a0: Matrix<T>,
        objective: inout DecoderObjective<T>, x: Matrix<T>, passes: inout DecoderGradientPasses<T>,
        parameterGradient: inout [T]
    ) {
        precondition(trajectory.groups.count == groups.count, "AMD trajectory and statistics disagree on groups")
        let (n, d) = (a0.rows, a0.cols)
        var a = a0
        var z = Matrix<T>(rows: n, cols: d)
        var u = Matrix<T>(rows: n, cols: d)
        var hu = Matrix<T>(rows: n, cols: d)
        var active = [Bool](repeating: false, count: n)
        let steps = trajectory.groups.map(\.stepSizes.count)
        for (g, record) in trajectory.groups.enumerated() {
            precondition(
                record.states.count == steps[g] + 1 && record.states.allSatisfy { $0.rows == groups[g].rowCount },
                "AMD trajectory of group \(g) is incomplete")
        }
        for j in 0..<(steps.max() ?? 0) {
            for (g, record) in trajectory.groups.enumerated() {
                let rows = groups[g].rows
                let live = j < steps[g]
                for i in rows { active[i] = live }
                guard live else { continue }
                let k = steps[g] - 1 - j
                RowOps.copyRows(record.states[k], from: 0, into: &z, at: rows.lowerBound, count: rows.count)
                let h = -T(record.stepSizes[k])
                for i in rows {
                    for c in 0..<d { u[i, c] = h * a[i, c] }
                }
            }
            passes.run(
                &objective, z: z, x: x, direction: u, active: active, mixedScale: 1,
                parameterGradient: &parameterGradient, hessianProduct: &hu)
            RowOps.axpy(1, hu, into: &a)
        }
    }

    /// The fixed grid through every stage of Kutta's 3/8 rule (FixedGridSolver), with the recorded stage
    /// points. For one interval, S' = S + c₁k₁ + c₃k₂ + c₃k₃ + c₁k₄ (c₁ = h/8, c₃ = 3h/8) and
    /// Y₂ = S + (h/3)k₁, Y₃ = S − (h/3)k₁ + h·k₂, Y₄ = S + h·k₁ − h·k₂ + h·k₃, k_j = f(t_j, Y_j). Given ā = ∂L/∂S':
    ///
    ///     k̄₁ = c₁ā, k̄₂ = k̄₃ = c₃ā, k̄₄ = c₁ā, S̄ = ā
    ///     Ȳ₄ = J₄ᵀk̄₄;  S̄ += Ȳ₄;  k̄₁ += hȲ₄;  k̄₂ −= hȲ₄;  k̄₃ += hȲ₄
    ///     Ȳ₃ = J₃ᵀk̄₃;  S̄ += Ȳ₃;  k̄₁ −= (h/3)Ȳ₃;  k̄₂ += hȲ₃
    ///     Ȳ₂ = J₂ᵀk̄₂;  S̄ += Ȳ₂;  k̄₁ += (h/3)Ȳ₂
    ///     Ȳ₁ = J₁ᵀk̄₁;  S̄ += Ȳ₁;  ā ← S̄
    ///
    /// with every Jⱼᵀk̄ⱼ also adding ∂_θ(k̄ⱼ·f(tⱼ, Yⱼ, θ)) to dL/dθ. Gradient flow, f = −α∇L(z):
    /// Jᵀw = H(−αw), θ-term ∂_θ((−αw)·∇L). Nesterov, S = (z, v), f = (v, −γv − α∇L(z)), γ = 3/(t + ε),
    /// w = (w_z, w_v): (Jᵀw)_z = H(−αw_v), (Jᵀw)_v = w_z − γw_v, θ-term ∂_θ((−αw_v)·∇L). The coefficients
    /// are the solver's, rounded to T as it rounds them. A row frozen as non-finite is differentiated
    /// through the intervals before its last finite grid point only (its z* is that point's state).
    static func fixedGrid<T: Scalar>(
        grid: ReverseGrid, stages: FixedGridStageRecord<T>, adjoint a0: Matrix<T>,
        objective: inout DecoderObjective<T>, x: Matrix<T>,
        passes: inout DecoderGradientPasses<T>, parameterGradient: inout [T]
    ) {
        var aBar = Matrix<T>(rows: grid.n, cols: grid.width)
        DecoderGradientRowMath.setColumns(&aBar, 0..<grid.d, to: a0)
        var kBar = [Matrix<T>](repeating: Matrix(rows: grid.n, cols: grid.width), count: 4)
        var sBar = Matrix<T>(rows: grid.n, cols: grid.width)
        var yBar = Matrix<T>(rows: grid.n, cols: grid.width)
        var u = Matrix<T>(rows: grid.n, cols: grid.d)
        var hu = Matrix<T>(rows: grid.n, cols: grid.d)

        for k in stride(from: grid.steps - 1, through: 0, by: -1) {
            let active = DecoderGradientRowMath.activeRows(interval: k, lastGridIndex: grid.lastGridIndex)
            guard active.contains(true) else { continue }
            let t = grid.times[k]
            let tNext = grid.times[k + 1]
            let h = tNext - t
            let stageTimes = [t, t + h / 3, t + 2 * h / 3, tNext]
            let (c1, c3) = (T(h / 8), T(3 * h / 8))
            for j in 0..<4 {
                RowOps.scale(j == 0 || j == 3 ? c1 : c3, aBar, into: &kBar[j])
                DecoderGradientRowMath.zeroInactiveRows(&kBar[j], keep: active)
            }
            RowOps.copyRows(aBar, from: 0, into: &sBar, at: 0, count: grid.n)

            // Ȳⱼ = Jⱼᵀk̄ⱼ (plus its θ-term), for stage j (0-based) of this interval.
            func stageAdjoint(_ j: Int, _ objective: inout DecoderObjective<T>, _ parameterGradient: inout [T]) {
                let time = stageTimes[j]
                let alpha = T(grid.settings.alpha(time))
                let input = stages.inputs[FixedGridStageRecord<T>.index(interval: k, stage: j)]
                let z = DecoderGradientRowMath.latentPart(input, dim: grid.d)
                DecoderGradientRowMath.scaledColumns(
                    kBar[j], grid.nesterov ? grid.d..<(2 * grid.d) : 0..<grid.d, by: -alpha, into: &u)
                passes.run(
                    &objective, z: z, x: x, direction: u, active: active, mixedScale: 1,
                    parameterGradient: &parameterGradient, hessianProduct: &hu)
                if grid.nesterov {
                    let gamma = T(3 / (time + grid.settings.epsilon))
                    DecoderGradientRowMath.combineHalves(kBar[j], 1, -gamma, intoSecondHalfOf: &yBar)
                    DecoderGradientRowMath.setColumns(&yBar, 0..<grid.d, to: hu)
                } else {
                    RowOps.copyRows(hu, from: 0, into: &yBar, at: 0, count: grid.n)
                }
                RowOps.axpy(1, yBar, into: &sBar)
            }

            stageAdjoint(3, &objective, &parameterGradient)
            RowOps.axpy(T(h), yBar, into: &kBar[0])
            RowOps.axpy(T(-h), yBar, into: &kBar[1])
            RowOps.axpy(T(h), yBar, into: &kBar[2])
            stageAdjoint(2, &objective, &parameterGradient)
            RowOps.axpy(T(-h / 3), yBar, into: &kBar[0])
            RowOps.axpy(T(h), yBar, into: &kBar[1])
            stageAdjoint(1, &objective, &parameterGradient)
            RowOps.axpy(T(h / 3), yBar, into: &kBar[0])
            stageAdjoint(0, &objective, &parameterGradient)
            swap(&aBar, &sBar)
        }
    }
}
