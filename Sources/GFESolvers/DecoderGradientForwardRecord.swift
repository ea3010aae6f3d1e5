import GFECore

/// Every objective evaluation of one fixed-grid solve, in order, as the decoder gradients need it (filled by
/// `FixedGridSolver` through its `stageRecord` extension point).
///
/// With N grid points, evaluation 4k + j (j = 0…3) is Runge–Kutta stage j + 1 of the interval
/// [t_k, t_{k+1}] (stage 1 is the grid state itself, at t_k), and evaluation 4(N − 1) is the final point.
/// A row frozen as non-finite (`SolveResult.nonFinite`) holds unspecified values from the interval that
/// froze it on; the decoder gradients never read a row past its last finite grid point.
struct FixedGridStageRecord<T: Scalar>: Sendable {
    /// The state each evaluation was made at: n × d (z) for gradient flow, n × 2d ([z | v]) for Nesterov.
    var inputs: [Matrix<T>] = []
    /// ∇_z L at each evaluated state (n × d).
    var gradients: [Matrix<T>] = []

    mutating func append(input: Matrix<T>, gradient: Matrix<T>) {
        inputs.append(input)
        gradients.append(gradient)
    }

    /// The evaluation index of stage `stage` (0…3) of interval `k`, or of grid point k for stage 0.
    static func index(interval k: Int, stage: Int) -> Int { 4 * k + stage }
}
