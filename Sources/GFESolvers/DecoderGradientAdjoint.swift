import GFECore

/// The `adjoint` decoder gradient (SPEC §5): the continuous adjoint of the fixed-grid flow, integrated
/// backwards over the same grid.
///
/// Gradient flow, dz/dt = −α(t)g(z, θ), g = ∇_z L, H = ∇²_z L (per sample):
///
///     a(τ) = g(z(τ)),   da/dt = α(t)·H(z(t))·a,
///     dL/dθ = ∂_θL(z(τ)) − ∫₀^τ α(t)·∂_θ[a(t)·g(z(t), θ)] dt.
///
/// Nesterov, dz/dt = v, dv/dt = −γ(t)v − α(t)g(z, θ), γ = 3/(t + ε). With adjoints (a_z, a_v) of (z, v),
/// da/dt = −(∂f/∂S)ᵀa gives
///
///     a_z(τ) = g(z(τ)),  a_v(τ) = 0   (the loss depends on z only),
///     da_z/dt = α(t)·H(z(t))·a_v,     da_v/dt = −a_z + γ(t)·a_v,
///     dL/dθ = ∂_θL(z(τ)) − ∫₀^τ α(t)·∂_θ[a_v(t)·g(z(t), θ)] dt.
///
/// Integrator: Kutta's 3/8 rule run backwards over each grid interval [t_k, t_{k+1}] (step −h), on the
/// augmented state (a, ∫): the integral is the rule's own quadrature with its stage values,
/// (h/8)(φ₁ + 3φ₂ + 3φ₃ + φ₄). Stage times t_{k+1}, t_k + 2h/3, t_k + h/3, t_k are the forward stages'. The
/// rule is the forward solver's, so the backward sweep has its order (4) and the same grid and cost (4
/// passes per interval). z at the two interior times is the cubic Hermite interpolant of the stored grid
/// states and their time derivatives (−α∇L recorded by the forward pass; v for Nesterov), accurate to
/// O(h⁴); the forward stage points Y₂, Y₃ would not do: they are only 1st/2nd-order approximations of
/// z(t + h/3), z(t + 2h/3) and would cap the adjoint at that order.
///
/// Nesterov at t = 0: γ(0) = 3/ε is huge, but it enters only the last stage derivative of the first interval,
/// which updates a(0), never used; the ∫ term at t = 0 uses the stage value before it. The first interval is
/// still a coarse approximation (γh = 9 at its interior stages, as in the forward solver), so the Nesterov
/// adjoint converges at a lower order than gradient flow as the grid is refined.
///
/// Each stage is one `secondOrderProducts` pass with direction u = α·a (a_v for Nesterov): H·u for the
/// stage derivative and ∂_θ(u·g) for the integrand. A row frozen as non-finite is integrated from its last
/// finite grid point (its z*) backwards. `parameterGradient` holds ∂_θ L(z*) on entry. `observe`, when given,
/// sees the adjoint after each interval (`AdjointSweepStep`, for `gfe replay`); it changes no number.
enum DecoderGradientAdjoint {
    static func fixedGrid<T: Scalar>(
        grid: ReverseGrid, stages: FixedGridStageRecord<T>, adjoint a0: Matrix<T>,
        objective: inout DecoderObjective<T>, x: Matrix<T>,
        passes: inout DecoderGradientPasses<T>, parameterGradient: inout [T],
        observe: ((AdjointSweepStep) -> Void)? = nil
    ) {
        var state = Matrix<T>(rows: grid.n, cols: grid.width)  // (a) or (a_z | a_v)
        DecoderGradientRowMath.setColumns(&state, 0..<grid.d, to: a0)
        var stageValue = Matrix<T>(rows: grid.n, cols: grid.width)
        var slope = [Matrix<T>](repeating: Matrix(rows: grid.n, cols: grid.width), count: 4)
        var u = Matrix<T>(rows: grid.n, cols: grid.d)
        var hu = Matrix<T>(rows: grid.n, cols: grid.d)
        var zStage = Matrix<T>(rows: grid.n, cols: grid.d)

        for k in stride(from: grid.steps - 1, through: 0, by: -1) {
            let active = DecoderGradientRowMath.activeRows(interval: k, lastGridIndex: grid.lastGridIndex)
            guard active.contains(true) else { continue }
            let (t, tNext) = (grid.times[k], grid.times[k + 1])
            let h = tNext - t
            // Backward stages: times, state points, quadrature weights.
            let stageTimes = [tNext, t + 2 * h / 3, t + h / 3, t]
            let weights = [h / 8, 3 * h / 8, 3 * h / 8, h / 8]
            let (zLeft, zRight) = (gridLatent(stages, k, grid.d), gridLatent(stages, k + 1, grid.d))
            let (dzLeft, dzRight) = (
                gridVelocity(stages, k, grid.d, grid.settings, grid.times),
                gridVelocity(stages, k + 1, grid.d, grid.settings, grid.times)
            )

            for j in 0..<4 {
                // Stage value A_j = A − h·Σ (coefficients of the 3/8 rule) K (backward step −h).
                switch j {
                case 0: RowOps.copyRows(state, from: 0, into: &stageValue, at: 0, count: grid.n)
                case 1: DecoderGradientRowMath.linearCombination([(1, state), (T(-h / 3), slope[0])], into: &stageValue)
                case 2:
                    DecoderGradientRowMath.linearCombination(
                        [(1, state), (T(h / 3), slope[0]), (T(-h), slope[1])], into: &stageValue)
                default:
                    DecoderGradientRowMath.linearCombination(
                        [(1, state), (T(-h), slope[0]), (T(h), slope[1]), (T(-h), slope[2])], into: &stageValue)
                }
                switch j {
                case 0: zStage = zRight
                case 1: hermite(zLeft, dzLeft, zRight, dzRight, h: h, at: 2, into: &zStage)
                case 2: hermite(zLeft, dzLeft, zRight, dzRight, h: h, at: 1, into: &zStage)
                default: zStage = zLeft
                }
                let time = stageTimes[j]
                let alpha = T(grid.settings.alpha(time))
                DecoderGradientRowMath.scaledColumns(
                    stageValue, grid.nesterov ? grid.d..<(2 * grid.d) : 0..<grid.d, by: alpha, into: &u)
                // dL/dθ −= w_j·α·∂_θ(A_j·g): the quadrature weight as the pass's scale.
                passes.run(
                    &objective, z: zStage, x: x, direction: u, active: active, mixedScale: T(-weights[j]),
                    parameterGradient: &parameterGradient, hessianProduct: &hu)
                if grid.nesterov {
                    let gamma = T(3 / (time + grid.settings.epsilon))
                    DecoderGradientRowMath.combineHalves(stageValue, -1, gamma, intoSecondHalfOf: &slope[j])
                    DecoderGradientRowMath.setColumns(&slope[j], 0..<grid.d, to: hu)
                } else {
                    RowOps.copyRows(hu, from: 0, into: &slope[j], at: 0, count: grid.n)
                }
                DecoderGradientRowMath.zeroInactiveRows(&slope[j], keep: active)
            }
            // A ← A − (h/8)(K₁ + 3K₂ + 3K₃ + K₄); inactive rows have K = 0 and keep their A.
            for j in 0..<4 { RowOps.axpy(T(-weights[j]), slope[j], into: &state) }
            observe?(
                AdjointSweepStep(
                    interval: k, time: t, step: h,
                    largestAdjointNorm: AdjointSweepStep.largestRowNorm(state, rows: active)))
        }
    }

    /// z at grid point k (n × d).
    private static func gridLatent<T: Scalar>(_ stages: FixedGridStageRecord<T>, _ k: Int, _ d: Int) -> Matrix<T> {
        DecoderGradientRowMath.latentPart(stages.inputs[FixedGridStageRecord<T>.index(interval: k, stage: 0)], dim: d)
    }

    /// dz/dt at grid point k: −α(t_k)∇L(z_k) for gradient flow, v_k for Nesterov.
    private static func gridVelocity<T: Scalar>(
        _ stages: FixedGridStageRecord<T>, _ k: Int, _ d: Int, _ settings: FixedGridSettings, _ times: [Double]
    ) -> Matrix<T> {
        let e = FixedGridStageRecord<T>.index(interval: k, stage: 0)
        if settings.dynamics == .nesterov { return RowOps.columns(stages.inputs[e], d..<(2 * d)) }
        var out = Matrix<T>(rows: stages.gradients[e].rows, cols: d)
        RowOps.scale(-T(settings.alpha(times[k])), stages.gradients[e], into: &out)
        return out
    }

    /// The cubic Hermite interpolant on [t_k, t_k + h] at θ = thirds/3 (1 or 2):
    /// θ = 1/3: (20z₀ + 4h·ż₀ + 7z₁ − 2h·ż₁)/27;  θ = 2/3: (7z₀ + 2h·ż₀ + 20z₁ − 4h·ż₁)/27.
    private static func hermite<T: Scalar>(
        _ z0: Matrix<T>, _ dz0: Matrix<T>, _ z1: Matrix<T>, _ dz1: Matrix<T>, h: Double, at thirds: Int,
        into out: inout Matrix<T>
    ) {
        let c: (Double, Double, Double, Double) = thirds == 1 ? (20, 4, 7, -2) : (7, 2, 20, -4)
        DecoderGradientRowMath.linearCombination(
            [(T(c.0 / 27), z0), (T(c.1 * h / 27), dz0), (T(c.2 / 27), z1), (T(c.3 * h / 27), dz1)], into: &out)
    }
}

/// The adjoint after one interval of the backward sweep: what `gfe replay` prints to show where it grows.
public struct AdjointSweepStep: Sendable, Equatable {
    /// k of the interval [t_k, t_{k+1}] just integrated (backwards, so k falls).
    public var interval: Int
    /// t_k, where the adjoint now is.
    public var time: Double
    /// h = t_{k+1} − t_k.
    public var step: Double
    /// The largest ‖a‖ (‖(a_z, a_v)‖ for Nesterov) over the rows still integrated, summed in Double; NaN
    /// when a row holds a NaN, +∞ when one overflowed.
    public var largestAdjointNorm: Double

    public init(interval: Int, time: Double, step: Double, largestAdjointNorm: Double) {
        self.interval = interval
        self.time = time
        self.step = step
        self.largestAdjointNorm = largestAdjointNorm
    }

    static func largestRowNorm<T: Scalar>(_ m: Matrix<T>, rows: [Bool]) -> Double {
        var largest = 0.0
        for r in 0..<m.rows where rows[r] {
            var sum = 0.0
            for c in 0..<m.cols {
                let v = Double(m[r, c])
                sum += v * v
            }
            let norm = sum.squareRoot()
            if norm.isNaN { return .nan }
            largest = max(largest, norm)
        }
        return largest
    }
}
