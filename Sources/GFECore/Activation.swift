/// The activation between an MLP's layers (the decoder's, and the AE encoder's, which mirrors it). Each is
/// chosen so that the backward passes need only the stored output h = f(a): f′(a) and f″(a)/f′(a) are
/// functions of h (Scalar.activationBackward, activationBackwardSecondOrder).
public enum Activation: String, CaseIterable, Sendable {
    /// SPEC §2: a for a > 0, eᵃ − 1 otherwise. f′ = 1 (h > 0) or h + 1; f″/f′ = 0 (h > 0) or 1.
    case elu
    /// max(a, 0). f′ = 1 for h > 0, else 0 (0 at a = 0, as PyTorch); f″ = 0.
    case relu
    /// tanh a. f′ = 1 − h²; f″/f′ = −2h.
    case tanh
    /// log(1 + eᵃ). f′ = σ(a) = 1 − e^(−h); f″/f′ = 1 − σ(a) = e^(−h).
    case softplus
}

/// The per-sample reconstruction loss: what the decoder's outputs mean.
public enum ReconstructionLoss: String, CaseIterable, Sendable {
    /// SPEC §3: the outputs are logits, the targets in [0, 1]; ε-BCE averaged over the elements.
    case crossEntropyOnLogits
    /// The outputs as they are: (1/P) Σ_p (y_p − x_p)², the mean over the elements of one sample (the authors'
    /// code's MSE per sample).
    case meanSquaredError

    /// ℓ per row into `losses`, and dℓ/dy into `gradient` when non-nil (rows × cols, row-major).
    func evaluate<T: Scalar>(
        outputs: UnsafePointer<T>, targets: UnsafePointer<T>, rows: Int, cols: Int,
        losses: UnsafeMutablePointer<T>, gradient: UnsafeMutablePointer<T>?
    ) {
        switch self {
        case .crossEntropyOnLogits:
            T.crossEntropy(
                logits: outputs, targets: targets, rows: rows, cols: cols, losses: losses, gradient: gradient)
        case .meanSquaredError:
            T.squaredError(
                outputs: outputs, targets: targets, rows: rows, cols: cols, losses: losses, gradient: gradient)
        }
    }

    /// In place over `count` elements: t ← (d²ℓ/dy²) ⊙ t (the loss's Hessian w.r.t. the outputs is diagonal).
    func curvature<T: Scalar>(
        outputs: UnsafePointer<T>, targets: UnsafePointer<T>, count: Int, cols: Int,
        tangents: UnsafeMutablePointer<T>
    ) {
        switch self {
        case .crossEntropyOnLogits:
            T.crossEntropyCurvature(
                logits: outputs, targets: targets, count: count, pixels: cols, tangents: tangents)
        case .meanSquaredError:
            T.squaredErrorCurvature(count: count, pixels: cols, tangents: tangents)
        }
    }
}
