#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The packed copies of one parameter vector's weights that the Float passes of an `MLP` multiply by
/// (`RowGemm`), and the products with them: per layer l, W_lᵀ for the forward products H·W_lᵀ and W_l for
/// the input-gradient products Δ·W_l. A weight's first product after a change reads it unpacked (through a
/// small buffer, as BLAS does: a weight used once per update, as in autoencoder training, never pays for a
/// full pack); its second product fills the pack on the way; later products read the pack. All three give
/// the same bits (packing only copies values), so when a pack is made changes no number.
///
/// Why packs can never be stale: after every write to an `MLP`'s `parameters` (assignment, subscript write,
/// inout mutation, `withUnsafeMutableBufferPointer`: all go through the property's set or modify accessor)
/// the MLP either marks its object's packs out of date (when no copy shares the object) or replaces the
/// object with a new, empty one (when copies share it: they still hold the old weights, for which the packs
/// remain right). Copies of an unchanged MLP share the object — same weights, same packs. An out-of-date
/// pack is refilled from the current weights in its own memory: the object's sole owner is the MLP being
/// written, so no pass can be reading that memory. A trainer that updates parameters between solves
/// therefore repacks once per update, during the second pass after it, without allocating.
///
/// Copies on different threads may use the same object concurrently; a mutex guards the states, and a
/// product that fills a pack holds it throughout (other products hold it only to read a state).
final class RowGemmWeights: @unchecked Sendable {
    /// Which product with W_l.
    enum Form: Int {
        /// H·W_lᵀ: k = inputs, n = outputs, packed from W_l read transposed.
        case transposed = 0
        /// Δ·W_l: k = outputs, n = inputs, packed from W_l as stored.
        case plain = 1
    }

    /// What a weight's next product does.
    private enum State {
        /// Not used since the weights changed: multiply unpacked.
        case unused
        /// Used once since the change: fill the pack while multiplying.
        case usedOnce
        /// The pack holds the current weights: multiply with it.
        case packed
    }

    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    /// packs[form][l] (allocated on the first filling, then refilled in place) and its state.
    private var packs: [[RowGemmPackedMatrix?]]
    private var states: [[State]]
    /// Whether any state is not `.unused` (so marking an already out-of-date cache costs nothing).
    private var touched = false

    /// A cache for an MLP of `layers` layers when its scalar is Float; nil for Double (whose passes multiply
    /// through `Double.gemm`).
    static func make<T: Scalar>(for _: T.Type, layers: Int) -> RowGemmWeights? {
        T.self == Float.self ? RowGemmWeights(layers: layers) : nil
    }

    private init(layers: Int) {
        packs = Array(repeating: Array(repeating: nil, count: layers), count: 2)
        states = Array(repeating: Array(repeating: .unused, count: layers), count: 2)
        mutex = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// C (rows × n, leading dimension ldc) ← A (rows × k, leading dimension lda) · B with B = W_lᵀ or W_l per
    /// `form`, `weight` pointing at W_l ([outputs, inputs] row-major).
    func multiply(
        _ form: Form, layer l: Int, weight: UnsafePointer<Float>, inputs: Int, outputs: Int,
        rows: Int, a: UnsafePointer<Float>, lda: Int, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        let f = form.rawValue
        let transposed = form == .transposed
        let (k, n) = transposed ? (inputs, outputs) : (outputs, inputs)
        lock()
        switch states[f][l] {
        case .packed:
            let packed = packs[f][l]!
            unlock()
            RowGemm.multiply(rows: rows, a: a, lda: lda, packed, c: c, ldc: ldc)
        case .unused:
            states[f][l] = .usedOnce
            touched = true
            unlock()
            RowGemm.multiplyUnpacked(
                rows: rows, a: a, lda: lda, source: weight, leadingDimension: inputs,
                transposed: transposed, k: k, n: n, c: c, ldc: ldc)
        case .usedOnce:
            // Filled under the lock: another copy of the network on another thread waits rather than read a
            // half-filled pack.
            defer { unlock() }
            let packed = packs[f][l] ?? RowGemmPackedMatrix(unfilledRows: k, cols: n)
            packs[f][l] = packed
            RowGemm.multiplyPacking(
                rows: rows, a: a, lda: lda, source: weight, leadingDimension: inputs,
                transposed: transposed, into: packed, c: c, ldc: ldc)
            states[f][l] = .packed
        }
    }

    /// Marks every pack out of date: the owner's parameters changed, and no copy shares this object.
    func markOutOfDate() {
        lock()
        defer { unlock() }
        guard touched else { return }
        for f in states.indices {
            for l in states[f].indices { states[f][l] = .unused }
        }
        touched = false
    }

    private func lock() { pthread_mutex_lock(mutex) }
    private func unlock() { pthread_mutex_unlock(mutex) }
}
