import GFECore

/// What an encoder minimises: for a batch of latents z (n × d) and their target images x (n × P), the
/// per-image loss ℓᵢ and the gradient of the batch-sum L = Σᵢ ℓᵢ with respect to z (row i = ∇_{zᵢ} ℓᵢ).
///
/// Row i of the results depends only on row i of z and x, which is what lets the solvers solve many
/// independent groups in one tall batch. One call is one forward and one backward pass through the decoder.
/// The decoder-backed conformance lives in GFECore (`DecoderObjective`); tests use analytic objectives.
public protocol LatentObjective {
    associatedtype T: Scalar
    /// d, the latent dimension.
    var latentDim: Int { get }
    /// Fills `loss[0..<n]` and `gradient` (n × d) for n = z.rows; `x.rows == z.rows`.
    mutating func lossAndGradient(z: Matrix<T>, x: Matrix<T>, loss: inout [T], gradient: inout Matrix<T>)
}
