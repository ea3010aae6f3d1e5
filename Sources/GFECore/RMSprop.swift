/// RMSprop as `torch.optim.RMSprop` (no momentum, not centred, no weight decay), SPEC §6's default:
///
///     v ← α·v + (1 − α)·g²,   θ ← θ − lr·g / (√v + eps),   v₀ = 0.
///
/// Defaults lr = 5e-4, α = 0.9, eps = 1e-6. Hyperparameters are Double, converted to `T` once per step
/// (1 − α is formed in Double, as PyTorch forms it in Python).
public struct RMSprop<T: Scalar>: Optimiser {
    public var learningRate: Double
    public var alpha: Double
    public var eps: Double
    /// v, PyTorch's `square_avg`.
    public private(set) var squareAverage: [T]
    public private(set) var step: Int

    public init(parameterCount: Int, learningRate: Double = 5e-4, alpha: Double = 0.9, eps: Double = 1e-6) {
        self.learningRate = learningRate
        self.alpha = alpha
        self.eps = eps
        self.squareAverage = [T](repeating: 0, count: parameterCount)
        self.step = 0
    }

    public init(state: OptimiserState<T>, parameterCount: Int) throws {
        try state.checkKind("rmsprop")
        self.learningRate = try state.hyperparameter("lr")
        self.alpha = try state.hyperparameter("alpha")
        self.eps = try state.hyperparameter("eps")
        self.squareAverage = try state.buffer("square_avg", count: parameterCount)
        self.step = state.step
    }

    public var state: OptimiserState<T> {
        OptimiserState(
            kind: "rmsprop", step: step,
            hyperparameters: ["lr": learningRate, "alpha": alpha, "eps": eps],
            buffers: ["square_avg": squareAverage])
    }

    public mutating func update(_ parameters: inout [T], gradient: [T]) {
        let n = squareAverage.count
        precondition(
            parameters.count == n && gradient.count == n,
            "RMSprop: \(parameters.count) parameters and \(gradient.count) gradients for a state of \(n)")
        let (lr, a, oneMinusA, e) = (T(learningRate), T(alpha), T(1 - alpha), T(eps))
        parameters.withUnsafeMutableBufferPointer { p in
            gradient.withUnsafeBufferPointer { g in
                squareAverage.withUnsafeMutableBufferPointer { v in
                    guard n > 0 else { return }
                    T.rmspropUpdate(
                        parameters: p.baseAddress!, gradient: g.baseAddress!, squareAverage: v.baseAddress!,
                        count: n, learningRate: lr, alpha: a, oneMinusAlpha: oneMinusA, eps: e)
                }
            }
        }
        step += 1
    }
}
