#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Adam as `torch.optim.Adam` (no weight decay, not amsgrad), SPEC §6's option. At step t = 1, 2, …:
///
///     m ← m + (1 − β1)·(g − m)          (torch's lerp: = β1·m + (1 − β1)·g)
///     v ← β2·v + (1 − β2)·g²
///     θ ← θ − (lr / (1 − β1ᵗ))·m / (√v / √(1 − β2ᵗ) + eps)
///
/// m₀ = v₀ = 0. Defaults lr = 5e-4 (this project's), β1 = 0.9, β2 = 0.999, eps = 1e-8 (PyTorch's). The bias
/// corrections and 1 − β are computed in Double, as PyTorch computes them in Python, then converted to `T`.
public struct Adam<T: Scalar>: Optimiser {
    public var learningRate: Double
    public var beta1: Double
    public var beta2: Double
    public var eps: Double
    /// m, PyTorch's `exp_avg`.
    public private(set) var firstMoment: [T]
    /// v, PyTorch's `exp_avg_sq`.
    public private(set) var secondMoment: [T]
    public private(set) var step: Int

    public init(
        parameterCount: Int, learningRate: Double = 5e-4, beta1: Double = 0.9, beta2: Double = 0.999,
        eps: Double = 1e-8
    ) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        self.firstMoment = [T](repeating: 0, count: parameterCount)
        self.secondMoment = [T](repeating: 0, count: parameterCount)
        self.step = 0
    }

    public init(state: OptimiserState<T>, parameterCount: Int) throws {
        try state.checkKind("adam")
        self.learningRate = try state.hyperparameter("lr")
        self.beta1 = try state.hyperparameter("beta1")
        self.beta2 = try state.hyperparameter("beta2")
        self.eps = try state.hyperparameter("eps")
        self.firstMoment = try state.buffer("exp_avg", count: parameterCount)
        self.secondMoment = try state.buffer("exp_avg_sq", count: parameterCount)
        self.step = state.step
    }

    public var state: OptimiserState<T> {
        OptimiserState(
            kind: "adam", step: step,
            hyperparameters: ["lr": learningRate, "beta1": beta1, "beta2": beta2, "eps": eps],
            buffers: ["exp_avg": firstMoment, "exp_avg_sq": secondMoment])
    }

    public mutating func update(_ parameters: inout [T], gradient: [T]) {
        let n = firstMoment.count
        precondition(
            parameters.count == n && gradient.count == n,
            "Adam: \(parameters.count) parameters and \(gradient.count) gradients for a state of \(n)")
        step += 1
        let t = Double(step)
        let biasCorrection1 = 1 - pow(beta1, t)
        let biasCorrection2 = 1 - pow(beta2, t)
        let stepSize = T(learningRate / biasCorrection1)
        let bc2Sqrt = T(biasCorrection2.squareRoot())
        let (omb1, b2, omb2, e) = (T(1 - beta1), T(beta2), T(1 - beta2), T(eps))
        parameters.withUnsafeMutableBufferPointer { p in
            gradient.withUnsafeBufferPointer { g in
                firstMoment.withUnsafeMutableBufferPointer { m in
                    secondMoment.withUnsafeMutableBufferPointer { v in
                        guard n > 0 else { return }
                        T.adamUpdate(
                            parameters: p.baseAddress!, gradient: g.baseAddress!, firstMoment: m.baseAddress!,
                            secondMoment: v.baseAddress!, count: n, stepSize: stepSize,
                            biasCorrection2Sqrt: bc2Sqrt, oneMinusBeta1: omb1, beta2: b2,
                            oneMinusBeta2: omb2, eps: e)
                    }
                }
            }
        }
    }
}
