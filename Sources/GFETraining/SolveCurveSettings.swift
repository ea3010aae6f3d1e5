/// Loss-vs-time curves of single solves (spec field `outputs.solveCurves`, paper figure 1): before each listed
/// training iteration the first `images` images of the train pool (the seeded order: the same batch every
/// time) are encoded as one batch by the run's own encoder, and the batch-mean loss ℓ is recorded at every
/// time the solver reports (`SolveCurveRecorder`). GFE runs only. The spec language reads and writes it
/// (GFEExperiments, OutputSettings.swift).
///
///     "solveCurves": {"iterations": [0, 50, 250], "images": 20}
public struct SolveCurveSettings: Sendable, Equatable {
    /// Completed training iterations before which the batch is encoded (0: the untrained decoder), strictly
    /// increasing, none beyond the budget (the budget's own count: the model after the last iteration).
    public var iterations: [Int]
    /// Images of the batch: the first ones of the train pool (fewer when the pool is smaller).
    public var images: Int

    public init(iterations: [Int], images: Int) {
        self.iterations = iterations
        self.images = images
    }
}
