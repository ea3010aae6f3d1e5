import GFECore

/// What one training iteration produced.
struct StepOutcome {
    /// The batch-mean loss ℓ.
    var meanLoss: Double
    /// GFE: the batch's solve.
    var solve: SolveSummary?
    /// False when the loss or a gradient was NaN or infinite; the parameters were then left unchanged.
    var finite: Bool
}

/// A model being trained: one call per minibatch computes the gradient of the batch-sum loss L and, when
/// every value is finite, applies one optimiser update.
protocol Trainee {
    /// One iteration on the batch `x`, whose rows are the train split's samples at `positions`.
    mutating func step(x: Matrix<Float>, positions: [Int]) throws -> StepOutcome
    var snapshot: TrainedModel { get }
    var optimiserStates: [OptimiserState<Float>] { get }
}

enum Finite {
    /// True when every element is finite.
    static func all(_ values: [Float]) -> Bool {
        values.withUnsafeBufferPointer { p in
            var ok = true
            for v in p where !v.isFinite {
                ok = false
                break
            }
            return ok
        }
    }

    /// The mean of the first n Float values, summed in Double in index order.
    static func mean(_ values: [Float], _ n: Int) -> Double {
        var s = 0.0
        for i in 0..<n { s += Double(values[i]) }
        return n == 0 ? .nan : s / Double(n)
    }
}
