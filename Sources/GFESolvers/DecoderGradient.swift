import GFECore

/// What `DecoderGradient.encodeAndGradient` returns besides the gradient itself.
public struct DecoderGradientResult<T: Scalar>: Sendable {
    /// z* and the encoder's statistics, exactly as `LatentEncoder.encode` would have returned them (a
    /// trajectory recorded only for the gradient is not kept).
    public var encoding: Encoding<T>
    /// L = Σᵢ ℓᵢ at z*, from the pass that computed ∂_θ L.
    public var loss: T
    public var statistics: DecoderGradientStatistics
}

/// How the decoder gradient was computed.
public struct DecoderGradientStatistics: Codable, Sendable, Equatable {
    public var mode: DecoderGradientMode
    /// Second-order (forward-over-reverse) passes through the decoder made for the correction term, each
    /// over the rows still active (the first-order pass at z* is not counted).
    public var secondOrderPasses: Int
    /// False when the parameter gradient holds a NaN or ±∞ (e.g. an image whose loss at z* is non-finite);
    /// a trainer should skip such an update.
    public var parameterGradientIsFinite: Bool
    /// The per-sample conjugate-gradient solves of the `implicit` mode (nil for the other modes).
    public var implicitSolve: ImplicitSolveStatistics?
}

/// The decoder-gradient modes of SPEC §5 behind one call per minibatch.
///
/// For images x (n × P) and the batch-sum loss L(θ) = Σᵢ ℓ(D_θ(z*ᵢ(θ)), xᵢ), the exact gradient is
/// dL/dθ = ∂_θ L + Σᵢ (∇_{zᵢ}ℓᵢ)ᵀ dz*ᵢ/dθ. The modes differ in the second term:
///
/// - `approximate`: dropped (z* held constant): one forward and backward pass at z*.
/// - `unrolled`: exact for the solver's computed z*, by reverse-mode differentiation through its steps with
///   the step sizes held constant (one-step, fixed grid through every RK 3/8 stage, AMD through its accepted
///   Euler steps). See `DecoderGradientUnrolled`.
/// - `adjoint`: the continuous adjoint of the fixed-grid flow, integrated backwards on the same grid. See
///   `DecoderGradientAdjoint`.
/// - `implicit`: −∂_θ(u·∇_z L) with Hᵢuᵢ = ∇_{zᵢ}ℓᵢ(z*) solved per sample by conjugate gradients: the
///   implicit-function gradient, valid when z* is (nearly) stationary. See `DecoderGradientImplicit`.
///
/// Every Hessian-vector and mixed product is exact (`DecoderObjective.secondOrderProducts`).
public enum DecoderGradient {
    /// Encodes `x` with `encoder` (recording the forward pass the mode needs), then overwrites
    /// `parameterGradient` with dL/dθ per `settings.mode` (it is resized to the decoder's parameter count
    /// if its count differs). `layout`, `z0` and `rng` are passed to the encoder as in `LatentEncoder.encode`.
    ///
    /// Throws `GFEError.badInput` for settings the encoder cannot serve (`adjoint` needs the fixed grid),
    /// images of the wrong width, or whatever the encoder rejects. Non-finite values never trap: they show
    /// in the encoding's result codes, `parameterGradientIsFinite` and the implicit solve's result codes.
    /// A row whose forward solve stopped early (fixed-grid row frozen as non-finite, one-step row back at
    /// z₀) is differentiated through the steps that produced its returned z*, and no further.
    /// `observeAdjoint` sees the `adjoint` mode's backward sweep interval by interval (diagnosis only).
    public static func encodeAndGradient<T: Scalar>(
        settings: DecoderGradientSettings, encoder: inout LatentEncoder<DecoderObjective<T>>,
        objective: inout DecoderObjective<T>, x: Matrix<T>, layout: GroupLayout = .oneGroup, z0: Matrix<T>? = nil,
        rng: inout RNG, parameterGradient: inout [T], observeAdjoint: ((AdjointSweepStep) -> Void)? = nil
    ) throws(GFEError) -> DecoderGradientResult<T> {
        try settings.validate(encoder: encoder.settings)
        guard x.cols == objective.pixelCount else {
            throw .badInput(
                "decoder gradient: the images have \(x.cols) pixels but the decoder outputs "
                    + "\(objective.pixelCount); use images of the decoder's output size")
        }
        let parameterCount = objective.decoder.parameterCount
        if parameterGradient.count != parameterCount {
            parameterGradient = [T](repeating: 0, count: parameterCount)
        }
        let mode = settings.mode
        let recordForward = mode == .unrolled || mode == .adjoint
        var (encoding, stages) = try encoder.encode(
            objective: &objective, x: x, layout: layout, z0: z0, rng: &rng,
            recordForward: recordForward)
        let z = encoding.z
        var loss: [T] = []
        var passes = DecoderGradientPasses<T>()
        var implicitSolve: ImplicitSolveStatistics? = nil
        let total: T

        if mode == .approximate {
            total = objective.lossAndParameterGradient(z: z, x: x, loss: &loss, parameterGradient: &parameterGradient)
        } else {
            // ∂_θ L at z* and a = ∇_z L(z*), the adjoint every correction starts from.
            var a = Matrix<T>(rows: z.rows, cols: z.cols)
            total = objective.lossAndGradients(
                z: z, x: x, loss: &loss, gradient: &a,
                parameterGradient: &parameterGradient)
            if z.rows > 0 {
                switch (mode, encoder.settings, encoding.trajectory) {
                case (.unrolled, .oneStep(let s), .oneStep(let start, _, _)?):
                    DecoderGradientUnrolled.oneStep(
                        eta: s.eta, z0: start, statistics: encoding.statistics, adjoint: a, objective: &objective, x: x,
                        passes: &passes, parameterGradient: &parameterGradient)
                case (.unrolled, .amd, .amd(let trajectory)?):
                    DecoderGradientUnrolled.amd(
                        trajectory: trajectory, groups: encoding.statistics.groups, adjoint: a,
                        objective: &objective, x: x, passes: &passes, parameterGradient: &parameterGradient)
                case (.unrolled, .fixedGrid(let s), _), (.adjoint, .fixedGrid(let s), _):
                    let stages = try require(stages)
                    ReverseGrid(settings: s, stages: stages, statistics: encoding.statistics, adjoint: a).differentiate(
                        mode, stages: stages, adjoint: a, objective: &objective, x: x, passes: &passes,
                        parameterGradient: &parameterGradient, observeAdjoint: observeAdjoint)
                case (.implicit, _, _):
                    implicitSolve = DecoderGradientImplicit.correct(
                        z: z, loss: loss, gradient: a, tolerance: settings.cgTolerance,
                        maxIterations: settings.cgMaxIterations, objective: &objective, x: x, passes: &passes,
                        parameterGradient: &parameterGradient)
                default:
                    throw .runFailure(
                        "decoder gradient: mode '\(mode.rawValue)' with the "
                            + "'\(encoder.settings.method.rawValue)' encoder found no recorded forward "
                            + "pass; this is a bug in GFESolvers")
                }
            } else if mode == .implicit {
                implicitSolve = ImplicitSolveStatistics(rows: 0)
            }
        }
        if recordForward { stripForcedRecording(&encoding, settings: encoder.settings) }
        let finite = parameterGradient.allSatisfy(\.isFinite)
        return DecoderGradientResult(
            encoding: encoding, loss: total,
            statistics: DecoderGradientStatistics(
                mode: mode, secondOrderPasses: passes.count,
                parameterGradientIsFinite: finite, implicitSolve: implicitSolve))
    }

    private static func require<T>(_ stages: FixedGridStageRecord<T>?) throws(GFEError) -> FixedGridStageRecord<T> {
        guard let stages else {
            throw .runFailure(
                "decoder gradient: the fixed-grid encoder returned no stage record; this is a bug in GFESolvers")
        }
        return stages
    }

    /// Removes what AMD recorded only because the gradient asked for it, so the caller sees the encoding
    /// its settings describe.
    private static func stripForcedRecording<T>(_ encoding: inout Encoding<T>, settings: EncoderSettings) {
        guard case .amd(let s) = settings else { return }
        if s.record != .full { encoding.trajectory = nil }
        if s.record == .none {
            for g in encoding.statistics.groups.indices {
                encoding.statistics.groups[g].acceptedTimes = nil
                encoding.statistics.groups[g].meanLossTrajectory = nil
            }
        }
    }
}
