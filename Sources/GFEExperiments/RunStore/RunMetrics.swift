import GFETraining

/// The metric names of the run store (curves.csv's `metric` column, run.json's checkpoint metrics, the
/// tables' `metric` column). docs/results.md lists them.
public enum RunMetrics {
    /// Per iteration: the batch-mean training loss ℓ.
    public static let trainLoss = "train_loss"
    /// Per iteration (GFE): the counters of the batch's solve.
    public static let solveAttempts = "solve_attempts"
    public static let solveAccepted = "solve_accepted"
    public static let solveRejected = "solve_rejected"
    public static let solveForced = "solve_forced"
    public static let solveFinalTime = "solve_final_t"
    public static let solveConverged = "solve_converged"
    public static let solveGradientNorm = "solve_gradient_norm"
    /// Validation curves: mean ℓ on the 8 validation images, and on the holdout set.
    public static let validationLoss = "validation_loss"
    public static let holdoutLoss = "holdout_loss"
    /// At each checkpoint: the training seconds so far (for loss-against-time comparisons).
    public static let trainSeconds = "train_seconds"
    /// `outputs.solveCurves`, at each recorded iteration: one pair of rows per time point of the solve, in
    /// time order — the integration time t, then the batch-mean loss ℓ at t.
    public static let solveCurveTime = "solve_curve_t"
    public static let solveCurveMeanLoss = "solve_curve_mean_loss"

    /// At each checkpoint: the mean ℓ of `kind` on the evaluated split, e.g. `test_loss_gfe`,
    /// `test_loss_ae`, `test_loss_ae_decoder_amd`, `holdout_loss_gfe`.
    public static func evaluation(_ kind: EvaluationKind, split: String) -> String {
        "\(split)_loss_\(snakeName(kind))"
    }

    /// At each checkpoint, the cost of each evaluation beside its loss in run.json (and so in tables; not in
    /// curves.csv, whose values must not depend on the machine): decoder passes per image forward and
    /// backward, and the CPU seconds of the whole evaluation, e.g. `test_forward_passes_gfe`,
    /// `test_backward_passes_gfe`, `test_cpu_s_gfe` (methods compare at equal cost by these).
    public static func evaluationCosts(_ kind: EvaluationKind, split: String) -> [String] {
        ["forward_passes", "backward_passes", "cpu_s"].map { "\(split)_\($0)_\(snakeName(kind))" }
    }

    /// The values of `evaluationCosts`, in their order.
    public static func costValues(_ e: EvaluationResult) -> [Double] {
        [e.forwardPasses, e.backwardPasses, e.cpuSeconds]
    }

    /// `gfe`, `ae`, `ae_decoder_amd`, `ae_refined`.
    public static func snakeName(_ kind: EvaluationKind) -> String {
        String(kind.commandLineName.map { $0 == "-" ? "_" : $0 })
    }

    /// The metrics every checkpoint of a run with `config` reports (what a table can use).
    public static func checkpointMetrics(for config: TrainingConfig) -> [String] {
        let split = config.checkpoints.split
        return config.checkpoints.evaluations(for: config.method).flatMap {
            [evaluation($0, split: split)] + evaluationCosts($0, split: split)
        } + [trainSeconds]
    }
}
