import GFECore

/// What an encoder minimises: for a batch of latents z (n × d) and their target images x (n × P), the
/// per-image loss ℓᵢ and the gradient of the batch-sum L = Σᵢ ℓᵢ with respect to z (row i = ∇_{zᵢ} ℓᵢ).
///
/// Row i of the results depends only on row i of z and x, which is what lets the solvers solve many
/// independent groups in one tall batch. One call is one forward and one backward pass through the decoder.
/// The decoder-backed conformance lives in GFECore (`DecoderObjective`); tests use analytic objectives.
///
/// Contract the solvers rely on:
/// - Row independence, bit for bit: row i of `loss` and `gradient` is the same whatever other rows are in
///   the call and however many there are (n = 1 included). Grouped solving is identical to sequential
///   solving exactly when this holds.
/// - The solvers pass `loss` with exactly n = z.rows entries and `gradient` already shaped n × d; the
///   objective overwrites them in place and must not resize them (so no allocation happens per call).
/// - z may hold any finite or non-finite values; a non-finite result is reported, never trapped.
public protocol LatentObjective {
    associatedtype T: Scalar
    /// d, the latent dimension.
    var latentDim: Int { get }
    /// Fills `loss[0..<n]` and `gradient` (n × d) for n = z.rows; `x.rows == z.rows`.
    mutating func lossAndGradient(z: Matrix<T>, x: Matrix<T>, loss: inout [T], gradient: inout Matrix<T>)
}

extension LatentObjective {
    /// `lossAndGradient` with the shape part of the contract checked: how the solvers call an objective.
    mutating func checkedLossAndGradient(z: Matrix<T>, x: Matrix<T>, loss: inout [T], gradient: inout Matrix<T>) {
        lossAndGradient(z: z, x: x, loss: &loss, gradient: &gradient)
        precondition(
            gradient.rows == z.rows && gradient.cols == z.cols && loss.count >= z.rows,
            "LatentObjective must fill loss[0..<n] and an n×d gradient without resizing them")
    }
}
