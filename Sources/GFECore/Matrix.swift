/// A dense row-major matrix: `rows` × `cols`, element (r, c) at `storage[r * cols + c]`.
///
/// Batches lie along rows (B×d latents, B×784 images). A value type over a Swift array: writing into a
/// uniquely referenced matrix through `withUnsafeMutableBufferPointer` never allocates, which is how the
/// preallocated workspaces stay allocation-free in the hot loop.
public struct Matrix<T: Scalar>: Equatable, Sendable {
    public private(set) var rows: Int
    public private(set) var cols: Int
    public var storage: [T]

    public init(rows: Int, cols: Int, repeating value: T = 0) {
        precondition(rows >= 0 && cols >= 0, "Matrix: negative shape \(rows)x\(cols)")
        self.rows = rows
        self.cols = cols
        self.storage = Array(repeating: value, count: rows * cols)
    }

    public init(rows: Int, cols: Int, storage: [T]) {
        precondition(storage.count == rows * cols, "Matrix: \(storage.count) elements for shape \(rows)x\(cols)")
        self.rows = rows
        self.cols = cols
        self.storage = storage
    }

    public var count: Int { rows * cols }

    @inlinable public subscript(r: Int, c: Int) -> T {
        get { storage[r * cols + c] }
        set { storage[r * cols + c] = newValue }
    }

    /// Row `r` as a new array.
    public func row(_ r: Int) -> [T] { Array(storage[(r * cols)..<((r + 1) * cols)]) }

    /// Changes the number of rows, keeping the storage's capacity: no reallocation when the new size fits
    /// (rows that come back are zeros). Used by workspaces that serve batches up to a maximum size.
    public mutating func setRows(_ newRows: Int) {
        precondition(newRows >= 0)
        storage.setCount(newRows * cols)
        rows = newRows
    }

    /// Converts element type (Float ↔ Double), e.g. to run the same weights in Double for tests.
    public func converted<U: Scalar>(to: U.Type = U.self) -> Matrix<U> {
        Matrix<U>(rows: rows, cols: cols, storage: storage.map { U($0) })
    }
}

extension Array where Element: Scalar {
    /// Makes the count `n`: drops the tail or appends zeros, keeping the capacity (workspaces sized for the
    /// largest batch, `Matrix.setRows` included, never reallocate). The zeros come as one temporary array: a
    /// generic sequence of them (`repeatElement`) costs a witness call per element in unspecialised generic
    /// code, such as a solver instantiated from another module, where it took 2 % of a grouped AMD solve.
    public mutating func setCount(_ n: Int) {
        if count > n {
            removeLast(count - n)
        } else if count < n {
            append(contentsOf: [Element](repeating: 0, count: n - count))
        }
    }
}

/// C ← alpha·op(A)·op(B) + beta·C for whole matrices: the one GEMM entry point of the engine.
/// op(X) is X or Xᵀ per `transA` / `transB`. Shapes are checked.
public func gemm<T: Scalar>(
    _ a: Matrix<T>, transA: Bool = false, _ b: Matrix<T>, transB: Bool = false,
    into c: inout Matrix<T>, alpha: T = 1, beta: T = 0
) {
    let m = transA ? a.cols : a.rows
    let k = transA ? a.rows : a.cols
    let kb = transB ? b.cols : b.rows
    let n = transB ? b.rows : b.cols
    precondition(k == kb, "gemm: inner dimensions \(k) and \(kb) differ")
    precondition(c.rows == m && c.cols == n, "gemm: result is \(c.rows)x\(c.cols), expected \(m)x\(n)")
    if m == 0 || n == 0 { return }
    if k == 0 {
        // k == 0: C is scaled by beta, as BLAS does (and no kernel is handed lda = 0).
        c.storage.withUnsafeMutableBufferPointer { cp in for i in cp.indices { cp[i] = beta == 0 ? 0 : beta * cp[i] } }
        return
    }
    a.storage.withUnsafeBufferPointer { ap in
        b.storage.withUnsafeBufferPointer { bp in
            c.storage.withUnsafeMutableBufferPointer { cp in
                T.gemm(
                    transA: transA, transB: transB, m: m, n: n, k: k,
                    alpha: alpha, a: ap.baseAddress!, lda: a.cols,
                    b: bp.baseAddress!, ldb: b.cols,
                    beta: beta, c: cp.baseAddress!, ldc: n)
            }
        }
    }
}
