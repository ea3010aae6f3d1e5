import GFECore
import GFESolvers

/// The counters of one solve (or of many, summed), as a training iteration records them.
public struct SolveSummary: Codable, Sendable, Equatable {
    /// Trial evaluations (AMD attempts; RK4 stages for the fixed grid).
    public var attempts: Int
    public var accepted: Int
    public var rejected: Int
    public var forced: Int
    /// The largest final time over the groups (one group per training batch).
    public var finalTime: Double
    public var groups: Int
    public var convergedGroups: Int
    /// The mean over the images of ‖∇_z ℓᵢ‖ at the returned z*ᵢ (how stationary the solve ended; the
    /// approximate decoder gradient is exact where it is 0), over the images whose value is finite.
    public var meanGradientNorm: Double

    public init(_ s: SolveStatistics) {
        attempts = s.attempts
        accepted = s.accepted
        rejected = s.rejected
        forced = s.forced
        finalTime = s.groups.map(\.finalTime).max() ?? 0
        groups = s.groups.count
        convergedGroups = s.convergedGroups
        let norms = s.sampleGradientNorm.filter(\.isFinite)
        meanGradientNorm = norms.isEmpty ? .nan : norms.reduce(0, +) / Double(norms.count)
    }
}

/// One training iteration.
public struct IterationRecord: Sendable, Equatable {
    /// 1 for the first batch.
    public var iteration: Int
    /// Images drawn so far, this batch included.
    public var imagesSeen: Int
    /// The batch-mean training loss ℓ (the batch-sum loss L / batch size).
    public var loss: Double
    /// Cumulative training seconds up to the end of this iteration (validation and checkpoint
    /// evaluations excluded, so curves against wall time show the cost of training alone).
    public var wallSeconds: Double
    /// GFE: the encoder's solve of this batch.
    public var solve: SolveSummary?
}

/// One point of a validation curve.
public struct ValidationRecord: Sendable, Equatable {
    public enum Set: String, Sendable, Codable { case validation, holdout }
    /// Iterations done when the model was evaluated (0 = the initial model).
    public var iteration: Int
    public var imagesSeen: Int
    /// Training seconds at that point.
    public var wallSeconds: Double
    public var set: Set
    /// Mean ℓ over the set.
    public var loss: Double
    public var solve: SolveSummary?
}

/// A snapshot taken during training and its evaluations.
public struct CheckpointRecord: Sendable {
    /// The images-seen count asked for (nil for the end-of-run snapshot).
    public var requestedImagesSeen: Int?
    public var iteration: Int
    public var imagesSeen: Int
    public var wallSeconds: Double
    public var model: TrainedModel
    /// In the order of `CheckpointPlan.evaluations(for:)`.
    public var evaluations: [EvaluationResult]

    public func evaluation(_ kind: EvaluationKind) -> EvaluationResult? { evaluations.first { $0.kind == kind } }
}

/// Reported to the progress callback after every iteration.
public struct TrainingProgress: Sendable, Equatable {
    public var iteration: Int
    public var totalIterations: Int
    public var imagesSeen: Int
    /// The batch-mean training loss of this iteration.
    public var loss: Double
    /// Images per second of training time so far.
    public var imagesPerSecond: Double
    /// Training seconds so far (evaluations not counted).
    public var trainingSeconds: Double
    /// The evaluation under way (validation or a checkpoint's), nil while training.
    public var evaluation: EvaluationStage?
    /// Images the run's validations and checkpoint evaluations encode in all, those encoded so far, and the
    /// seconds that took: with the training numbers, what a sweep's ETA is made of.
    public var evaluationImagesPlanned: Int
    public var evaluationImagesDone: Int
    public var evaluationSeconds: Double

    public init(
        iteration: Int, totalIterations: Int, imagesSeen: Int, loss: Double, imagesPerSecond: Double,
        trainingSeconds: Double = 0, evaluation: EvaluationStage? = nil, evaluationImagesPlanned: Int = 0,
        evaluationImagesDone: Int = 0, evaluationSeconds: Double = 0
    ) {
        self.iteration = iteration
        self.totalIterations = totalIterations
        self.imagesSeen = imagesSeen
        self.loss = loss
        self.imagesPerSecond = imagesPerSecond
        self.trainingSeconds = trainingSeconds
        self.evaluation = evaluation
        self.evaluationImagesPlanned = evaluationImagesPlanned
        self.evaluationImagesDone = evaluationImagesDone
        self.evaluationSeconds = evaluationSeconds
    }
}

/// One evaluation in progress: what it is ("checkpoint 2/5: gfe", "validation"), its images done of all,
/// and the seconds since it began.
public struct EvaluationStage: Sendable, Equatable {
    public var label: String
    public var done: Int
    public var total: Int
    public var seconds: Double

    public init(label: String, done: Int, total: Int, seconds: Double = 0) {
        self.label = label
        self.done = done
        self.total = total
        self.seconds = seconds
    }
}

/// Everything a training run produced.
public struct TrainingResult: Sendable {
    public var config: TrainingConfig
    public var iterations: [IterationRecord]
    public var validation: [ValidationRecord]
    public var checkpoints: [CheckpointRecord]
    /// The model after the last completed iteration.
    public var model: TrainedModel
    /// The optimisers' states after the last update (decoder's; for an AE the encoder's first).
    public var optimiserStates: [OptimiserState<Float>]
    /// Training seconds (as `IterationRecord.wallSeconds`), and everything included.
    public var trainingSeconds: Double
    public var totalSeconds: Double
    /// `outputs.solveCurves`: one curve per recorded iteration, in order.
    public var solveCurves: [SolveCurve] = []
}

/// A run that stopped because a loss or gradient became NaN or infinite (exit code 1). Carries what was
/// recorded before the failing iteration; the model was not updated with the bad gradient.
public struct TrainingFailure: ReportableError {
    public var message: String
    public var exitCode: Int32 { 1 }
    public var partial: TrainingResult

    public init(message: String, partial: TrainingResult) {
        self.message = message
        self.partial = partial
    }
}
