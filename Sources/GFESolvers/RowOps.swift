import GFECore

/// Row-block operations on row-major matrices, written as functions of separate matrix arguments so a
/// solver can pass distinct workspace matrices (`&ws.zTrial`, `ws.zCur`) to one call without overlapping
/// access to the workspace. Row blocks are contiguous: rows [r, r + count) are elements
/// [r·cols, (r + count)·cols).
enum RowOps {
    /// dst[dstRow ..< dstRow + count] = src[srcRow ..< srcRow + count] (same column count).
    static func copyRows<T: Scalar>(
        _ src: Matrix<T>, from srcRow: Int, into dst: inout Matrix<T>, at dstRow: Int, count: Int
    ) {
        precondition(src.cols == dst.cols, "RowOps.copyRows: \(src.cols) vs \(dst.cols) columns")
        let w = src.cols
        guard count > 0, w > 0 else { return }
        src.storage.withUnsafeBufferPointer { s in
            dst.storage.withUnsafeMutableBufferPointer { d in
                (d.baseAddress! + dstRow * w).update(from: s.baseAddress! + srcRow * w, count: count * w)
            }
        }
    }

    /// dst[dstStart ..< dstStart + count] = src[srcStart ..< srcStart + count].
    static func copyElements<T>(_ src: [T], from srcStart: Int, into dst: inout [T], at dstStart: Int, count: Int) {
        guard count > 0 else { return }
        src.withUnsafeBufferPointer { s in
            dst.withUnsafeMutableBufferPointer { d in
                (d.baseAddress! + dstStart).update(from: s.baseAddress! + srcStart, count: count)
            }
        }
    }

    /// out rows [outRow, +count) = z rows [row, +count) − a·(g rows [row, +count)).
    static func eulerStep<T: Scalar>(
        into out: inout Matrix<T>, at outRow: Int, _ z: Matrix<T>, _ a: T, _ g: Matrix<T>, from row: Int, count: Int
    ) {
        let w = z.cols
        guard count > 0, w > 0 else { return }
        z.storage.withUnsafeBufferPointer { zp in
            g.storage.withUnsafeBufferPointer { gp in
                out.storage.withUnsafeMutableBufferPointer { op in
                    Kernels.eulerStep(
                        op.baseAddress! + outRow * w, zp.baseAddress! + row * w, a,
                        gp.baseAddress! + row * w, count * w)
                }
            }
        }
    }

    /// True when the `count` losses from `lossStart` and the gradient rows from `row` are all finite.
    static func finite<T: Scalar>(_ loss: [T], _ g: Matrix<T>, from row: Int, count: Int) -> Bool {
        let w = g.cols
        let lossOK = loss.withUnsafeBufferPointer { Kernels.allFinite($0.baseAddress! + row, count) }
        guard lossOK else { return false }
        guard w > 0 else { return true }
        return g.storage.withUnsafeBufferPointer { Kernels.allFinite($0.baseAddress! + row * w, count * w) }
    }

    /// Σ_c m[row, c]² accumulated in T.
    static func squaredNorm<T: Scalar>(_ m: Matrix<T>, row: Int) -> T {
        let w = m.cols
        guard w > 0 else { return 0 }
        return m.storage.withUnsafeBufferPointer { Kernels.squaredNorm($0.baseAddress! + row * w, w) }
    }

    /// ‖m[row, :]‖ with the sum in Double.
    static func normInDouble<T: Scalar>(_ m: Matrix<T>, row: Int) -> Double {
        let w = m.cols
        guard w > 0 else { return 0 }
        return m.storage.withUnsafeBufferPointer { Kernels.normInDouble($0.baseAddress! + row * w, w) }
    }

    /// The mean of loss[start ..< start + count], summed in Double in index order.
    static func meanInDouble<T: Scalar>(_ loss: [T], from start: Int, count: Int) -> Double {
        loss.withUnsafeBufferPointer { Kernels.sumInDouble($0.baseAddress! + start, count) } / Double(count)
    }

    /// Rows [row, row + count) of m as a new matrix.
    static func rows<T: Scalar>(_ m: Matrix<T>, from row: Int, count: Int) -> Matrix<T> {
        Matrix(rows: count, cols: m.cols, storage: Array(m.storage[(row * m.cols)..<((row + count) * m.cols)]))
    }

    /// True when every element of row `row` is finite.
    static func rowFinite<T: Scalar>(_ m: Matrix<T>, row: Int) -> Bool {
        let w = m.cols
        guard w > 0 else { return true }
        return m.storage.withUnsafeBufferPointer { Kernels.allFinite($0.baseAddress! + row * w, w) }
    }

    /// y += a·x over whole matrices of equal shape.
    static func axpy<T: Scalar>(_ a: T, _ x: Matrix<T>, into y: inout Matrix<T>) {
        precondition(x.rows == y.rows && x.cols == y.cols, "RowOps.axpy: shapes differ")
        guard x.count > 0 else { return }
        x.storage.withUnsafeBufferPointer { xp in
            y.storage.withUnsafeMutableBufferPointer { yp in
                Kernels.axpy(a, xp.baseAddress!, yp.baseAddress!, x.count)
            }
        }
    }

    /// out = a·x over whole matrices of equal shape.
    static func scale<T: Scalar>(_ a: T, _ x: Matrix<T>, into out: inout Matrix<T>) {
        precondition(x.rows == out.rows && x.cols == out.cols, "RowOps.scale: shapes differ")
        guard x.count > 0 else { return }
        x.storage.withUnsafeBufferPointer { xp in
            out.storage.withUnsafeMutableBufferPointer { op in
                Kernels.scale(op.baseAddress!, a, xp.baseAddress!, x.count)
            }
        }
    }

    /// out = base + c1·k1 (+ c2·k2 (+ c3·k3)), the terms added in order.
    static func combine<T: Scalar>(
        into out: inout Matrix<T>, _ base: Matrix<T>, _ c1: T, _ k1: Matrix<T>,
        _ c2: T = 0, _ k2: Matrix<T>? = nil, _ c3: T = 0, _ k3: Matrix<T>? = nil
    ) {
        precondition(base.rows == out.rows && base.cols == out.cols, "RowOps.combine: shapes differ")
        copyRows(base, from: 0, into: &out, at: 0, count: base.rows)
        axpy(c1, k1, into: &out)
        if let k2 { axpy(c2, k2, into: &out) }
        if let k3 { axpy(c3, k3, into: &out) }
    }

    /// Columns `cols` of every row, as a new matrix.
    static func columns<T: Scalar>(_ m: Matrix<T>, _ cols: Range<Int>) -> Matrix<T> {
        var out = Matrix<T>(rows: m.rows, cols: cols.count)
        extractColumns(m, cols, into: &out)
        return out
    }

    /// out[i, :] = m[i, cols] for every row (out has m.rows rows and cols.count columns).
    static func extractColumns<T: Scalar>(_ m: Matrix<T>, _ cols: Range<Int>, into out: inout Matrix<T>) {
        precondition(out.rows == m.rows && out.cols == cols.count, "RowOps.extractColumns: shapes differ")
        let w = cols.count
        guard m.rows > 0, w > 0 else { return }
        m.storage.withUnsafeBufferPointer { mp in
            out.storage.withUnsafeMutableBufferPointer { op in
                for i in 0..<m.rows {
                    (op.baseAddress! + i * w).update(from: mp.baseAddress! + i * m.cols + cols.lowerBound, count: w)
                }
            }
        }
    }

    /// Sets every element of m to v.
    static func fill<T: Scalar>(_ m: inout Matrix<T>, _ v: T) {
        m.storage.withUnsafeMutableBufferPointer { p in p.update(repeating: v) }
    }
}
