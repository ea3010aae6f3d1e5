/// Preallocated scratch memory for passes through an `MLP` with a given architecture: activations, their
/// gradients and (on first use of a second-order pass) their tangents, for up to `maxBatch` rows.
///
/// One contiguous array holds every buffer, so a pass touches it through a single exclusive access and a
/// workspace that served one batch serves any batch of at most `maxBatch` rows without allocating. A larger
/// batch grows it once (that call allocates; later ones do not). Copying a workspace copies its buffer on
/// the next write (value semantics), so each solver or thread should own its own.
///
/// After `MLP.forward(_:workspace:)` the workspace holds the forward state of that batch, which the backward
/// passes read: call backward with the same parameters and before the next forward pass.
public struct MLPWorkspace<T: Scalar>: Sendable {
    /// The architecture whose passes this workspace serves.
    public let architecture: Architecture
    /// Rows the buffers are sized for.
    public var maxBatch: Int { layout.maxBatch }
    /// Rows of the last forward pass (0 before any).
    public internal(set) var batch: Int = 0

    var layout: MLPWorkspaceLayout
    var buffer: [T]

    /// Sizes buffers for batches of up to `maxBatch` rows (second-order buffers come on first use).
    public init(architecture: Architecture, maxBatch: Int) {
        precondition(maxBatch >= 1, "MLPWorkspace: maxBatch must be at least 1, got \(maxBatch)")
        self.architecture = architecture
        self.layout = MLPWorkspaceLayout(sizes: architecture.sizes, maxBatch: maxBatch)
        self.buffer = [T](repeating: 0, count: layout.firstOrderCount)
    }

    /// The network output (logits for a decoder) of the last forward pass: batch × outputSize, a new matrix.
    public func output() -> Matrix<T> {
        var m = Matrix<T>(rows: batch, cols: architecture.outputSize)
        copyOutput(into: &m)
        return m
    }

    /// Copies the last forward pass's output into `matrix`, resizing its rows to `batch` (no allocation
    /// when its storage is uniquely referenced and large enough).
    public func copyOutput(into matrix: inout Matrix<T>) {
        precondition(
            matrix.cols == architecture.outputSize,
            "MLPWorkspace.copyOutput: matrix has \(matrix.cols) columns, output has \(architecture.outputSize)")
        if matrix.rows != batch { matrix.setRows(batch) }
        let count = batch * architecture.outputSize
        guard count > 0 else { return }
        let offset = layout.activation[layout.layerCount]
        buffer.withUnsafeBufferPointer { src in
            matrix.storage.withUnsafeMutableBufferPointer { dst in
                dst.baseAddress!.update(from: src.baseAddress! + offset, count: count)
            }
        }
    }

    /// Base address of the buffer, for tests that check reuse (the address must not change once warm).
    public var storageAddress: UnsafeRawPointer? {
        buffer.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }
    }

    /// Makes room for `rows` rows (and the tangent buffers when `secondOrder`). Allocates only when the
    /// workspace is too small; the buffer's contents are not kept across a growth.
    mutating func prepare(rows: Int, secondOrder: Bool) {
        if rows > layout.maxBatch {
            layout = MLPWorkspaceLayout(sizes: architecture.sizes, maxBatch: rows)
            buffer = [T](repeating: 0, count: secondOrder ? layout.totalCount : layout.firstOrderCount)
        } else if secondOrder && buffer.count < layout.totalCount {
            buffer.setCount(layout.totalCount)
        }
    }
}

/// Offsets (in elements) of each buffer of an `MLPWorkspace`, every buffer sized maxBatch × width.
/// First-order buffers come first so the tangents can be appended on demand.
struct MLPWorkspaceLayout: Sendable, Equatable {
    let sizes: [Int]
    let maxBatch: Int
    /// activation[l], l = 0…L: the layer inputs H_l (H_0 = the network input), activation[L] = the output.
    let activation: [Int]
    /// delta[l], l = 1…L: ∂L/∂A_l, the gradient w.r.t. layer l's pre-activation (delta[L] = ∂L/∂output).
    /// delta[0] is unused (the input gradient goes straight to the caller's matrix).
    let delta: [Int]
    /// tangent[l], l = 0…L−1: Ḣ_l, the directional derivative of H_l (tangent[0] = the direction V).
    let tangent: [Int]
    /// tangentDelta[l], l = 1…L: the directional derivative of delta[l] (tangentDelta[L] first holds Ẏ).
    let tangentDelta: [Int]
    let firstOrderCount: Int
    let totalCount: Int

    var layerCount: Int { sizes.count - 1 }

    init(sizes: [Int], maxBatch: Int) {
        self.sizes = sizes
        self.maxBatch = maxBatch
        let layers = sizes.count - 1
        var offset = 0
        func take(_ width: Int) -> Int {
            defer { offset += maxBatch * width }
            return offset
        }
        activation = (0...layers).map { take(sizes[$0]) }
        delta = (0...layers).map { $0 == 0 ? 0 : take(sizes[$0]) }
        firstOrderCount = offset
        tangent = (0...layers).map { $0 == layers ? 0 : take(sizes[$0]) }
        tangentDelta = (0...layers).map { $0 == 0 ? 0 : take(sizes[$0]) }
        totalCount = offset
    }
}
