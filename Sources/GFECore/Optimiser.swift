/// A first-order optimiser over a flat parameter vector (SPEC §6), with PyTorch semantics.
///
/// Its whole state is an `OptimiserState`, so a checkpoint can store it and `init(state:)` can resume
/// bit-identically.
public protocol Optimiser<T>: Sendable {
    associatedtype T: Scalar
    /// Number of `update` calls so far (PyTorch's per-parameter `step`).
    var step: Int { get }
    /// One step: parameters ← parameters − (update computed from `gradient` and the state).
    /// Both arrays must have the optimiser's parameter count.
    mutating func update(_ parameters: inout [T], gradient: [T])
    /// The complete state: kind, step, hyperparameters and buffers (PyTorch's names).
    var state: OptimiserState<T> { get }
    /// Resumes from a saved state.
    /// - Throws: `GFEError.badInput` when the state is of another kind, lacks a buffer or has the wrong sizes.
    init(state: OptimiserState<T>, parameterCount: Int) throws
}

/// Everything an optimiser needs to resume, in checkpoint-friendly form.
public struct OptimiserState<T: Scalar>: Equatable, Sendable {
    /// "rmsprop" or "adam".
    public var kind: String
    /// Number of updates applied.
    public var step: Int
    /// Hyperparameters by PyTorch name: "lr", "alpha", "eps" (RMSprop); "lr", "beta1", "beta2", "eps" (Adam).
    public var hyperparameters: [String: Double]
    /// Per-parameter buffers by PyTorch name: "square_avg" (RMSprop); "exp_avg", "exp_avg_sq" (Adam).
    public var buffers: [String: [T]]

    public init(kind: String, step: Int, hyperparameters: [String: Double], buffers: [String: [T]]) {
        self.kind = kind
        self.step = step
        self.hyperparameters = hyperparameters
        self.buffers = buffers
    }

    /// The named buffer, checked for presence and size.
    func buffer(_ name: String, count: Int) throws -> [T] {
        guard let b = buffers[name] else {
            throw GFEError.badInput(
                "\(kind) optimiser state: buffer '\(name)' is missing; the checkpoint is incomplete")
        }
        guard b.count == count else {
            throw GFEError.badInput(
                "\(kind) optimiser state: buffer '\(name)' has \(b.count) elements, the model has "
                    + "\(count) parameters; the checkpoint belongs to another model")
        }
        return b
    }

    /// The named hyperparameter, checked for presence and finiteness.
    func hyperparameter(_ name: String) throws -> Double {
        guard let v = hyperparameters[name], v.isFinite else {
            throw GFEError.badInput("\(kind) optimiser state: hyperparameter '\(name)' is missing or not finite")
        }
        return v
    }

    func checkKind(_ expected: String) throws {
        guard kind == expected else {
            throw GFEError.badInput(
                "optimiser state is '\(kind)', expected '\(expected)'; the checkpoint was written with another optimiser"
            )
        }
        guard step >= 0 else { throw GFEError.badInput("\(kind) optimiser state: negative step \(step)") }
    }
}
