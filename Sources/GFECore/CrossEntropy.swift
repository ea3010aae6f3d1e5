/// The loss of SPEC §3 on whole matrices (logits and targets rows × P, one image per row):
///
///     ℓ(y, x) = (1/P) Σ_p −x_p log(σ(y_p) + ε) − (1 − x_p) log(1 − σ(y_p) + ε),   ε = 1e-8,
///
/// σ(y) and 1 − σ(y) = σ(−y) evaluated from e^(−|y|), so saturated logits (±50, ±∞) give finite values equal
/// to the formula's. Derivatives keep ε exactly (see `Scalar.crossEntropy` / `crossEntropyCurvature`).
/// Convenience forms that allocate their results; the passes call the kernels directly.
public enum CrossEntropy {
    /// ε of SPEC §3.
    public static let epsilon = 1e-8

    /// ℓᵢ per row.
    public static func losses<T: Scalar>(logits: Matrix<T>, targets: Matrix<T>) -> [T] {
        check(logits, targets)
        var out = [T](repeating: 0, count: logits.rows)
        guard logits.count > 0 else { return out }
        logits.storage.withUnsafeBufferPointer { y in
            targets.storage.withUnsafeBufferPointer { x in
                out.withUnsafeMutableBufferPointer { l in
                    T.crossEntropy(
                        logits: y.baseAddress!, targets: x.baseAddress!, rows: logits.rows, cols: logits.cols,
                        losses: l.baseAddress!, gradient: nil)
                }
            }
        }
        return out
    }

    /// ℓᵢ per row and dℓᵢ/dy (rows × P).
    public static func lossesAndGradient<T: Scalar>(logits: Matrix<T>, targets: Matrix<T>) -> (
        losses: [T], gradient: Matrix<T>
    ) {
        check(logits, targets)
        var out = [T](repeating: 0, count: logits.rows)
        var grad = Matrix<T>(rows: logits.rows, cols: logits.cols)
        guard logits.count > 0 else { return (out, grad) }
        logits.storage.withUnsafeBufferPointer { y in
            targets.storage.withUnsafeBufferPointer { x in
                out.withUnsafeMutableBufferPointer { l in
                    grad.storage.withUnsafeMutableBufferPointer { g in
                        T.crossEntropy(
                            logits: y.baseAddress!, targets: x.baseAddress!, rows: logits.rows,
                            cols: logits.cols, losses: l.baseAddress!, gradient: g.baseAddress!)
                    }
                }
            }
        }
        return (out, grad)
    }

    /// d²ℓᵢ/dy² elementwise (rows × P): the diagonal of the loss Hessian w.r.t. the logits.
    public static func curvature<T: Scalar>(logits: Matrix<T>, targets: Matrix<T>) -> Matrix<T> {
        check(logits, targets)
        var out = Matrix<T>(rows: logits.rows, cols: logits.cols, repeating: 1)
        guard logits.count > 0 else { return out }
        logits.storage.withUnsafeBufferPointer { y in
            targets.storage.withUnsafeBufferPointer { x in
                out.storage.withUnsafeMutableBufferPointer { t in
                    T.crossEntropyCurvature(
                        logits: y.baseAddress!, targets: x.baseAddress!, count: logits.count,
                        pixels: logits.cols, tangents: t.baseAddress!)
                }
            }
        }
        return out
    }

    private static func check<T>(_ logits: Matrix<T>, _ targets: Matrix<T>) {
        precondition(
            logits.rows == targets.rows && logits.cols == targets.cols,
            "CrossEntropy: logits \(logits.rows)x\(logits.cols) and targets \(targets.rows)x\(targets.cols) differ")
    }
}
