// Small elementwise helpers on matrices and flat vectors for the solvers and trainers, each one kernel call
// (so generic callers in other modules still run a specialised loop). None allocates when `self` is
// uniquely referenced.

extension Matrix {
    /// self ← self + alpha·x (same shape).
    public mutating func add(_ x: Matrix<T>, scaledBy alpha: T) {
        precondition(
            x.rows == rows && x.cols == cols, "Matrix.add: shapes \(x.rows)x\(x.cols) and \(rows)x\(cols) differ")
        let n = count
        guard n > 0 else { return }
        x.storage.withUnsafeBufferPointer { xp in
            storage.withUnsafeMutableBufferPointer { yp in T.axpy(alpha, xp.baseAddress!, yp.baseAddress!, count: n) }
        }
    }

    /// self ← alpha·x + beta·self (same shape); with beta = 0, self's old values are not read.
    public mutating func combine(_ alpha: T, _ x: Matrix<T>, _ beta: T) {
        precondition(
            x.rows == rows && x.cols == cols, "Matrix.combine: shapes \(x.rows)x\(x.cols) and \(rows)x\(cols) differ")
        let n = count
        guard n > 0 else { return }
        x.storage.withUnsafeBufferPointer { xp in
            storage.withUnsafeMutableBufferPointer { yp in
                T.axpby(alpha, xp.baseAddress!, beta, yp.baseAddress!, count: n)
            }
        }
    }

    /// norms[r] ← ‖row r‖² for r < rows (`norms` grows to `rows` elements if shorter).
    public func rowSquaredNorms(into norms: inout [T]) {
        if norms.count < rows { norms.setCount(rows) }
        guard count > 0 else { return }
        storage.withUnsafeBufferPointer { m in
            norms.withUnsafeMutableBufferPointer { out in
                T.rowSquaredNorms(m.baseAddress!, rows: rows, cols: cols, into: out.baseAddress!)
            }
        }
    }
}

extension Array where Element: Scalar {
    /// self ← self + alpha·x (same count), e.g. accumulating parameter gradients.
    public mutating func add(_ x: [Element], scaledBy alpha: Element) {
        precondition(x.count == count, "Array.add: counts \(x.count) and \(count) differ")
        let n = count
        guard n > 0 else { return }
        x.withUnsafeBufferPointer { xp in
            withUnsafeMutableBufferPointer { yp in Element.axpy(alpha, xp.baseAddress!, yp.baseAddress!, count: n) }
        }
    }
}
