import GFECore
import GFEData
import GFESolvers

/// Trains a GFE decoder or an AE as `TrainingConfig` says (SPEC §6) and records the run.
///
/// Randomness: parameters from `RNG(seed, "init")`, minibatches from `EpochSampler` (stream "shuffle"),
/// training z₀ from stream "z0" (drawn per batch), evaluation z₀ from stream "eval-z0" drawn afresh for every
/// evaluation; the train/validation split from stream "split". Same config, data and machine ⇒ the same
/// numbers, bit for bit.
///
/// Per iteration: the batch-mean loss, images seen, cumulative training seconds and (GFE) the solve's
/// counters. Validation after every `validation.every` iterations (and at 0 with `atStart`). At each
/// checkpoint count the model is snapshotted and evaluated; evaluations depend only on the snapshot and
/// the seed, so one trajectory serves every checkpoint with the numbers of separate shorter runs.
///
/// With `solveCurves` (GFE only), before each listed iteration a fixed batch is encoded apart from training
/// and its loss-vs-time curve kept (`SolveCurveRecorder`): training numbers are the same without it, and
/// its time is not counted as training time.
///
/// A NaN or infinite loss or gradient stops the run before the bad update with a `TrainingFailure`
/// (exit code 1) carrying the records so far.
public enum Trainer {
    /// Trains on `data` (see `TrainingData.load`). `progress` is called after every iteration, and at the
    /// start, during and end of every validation and checkpoint evaluation (with `evaluation` set, then nil
    /// again), on the calling thread. Throws `GFEError.badInput` for a config that does not fit the data (a checkpoint or
    /// solve curve beyond the budget, solve curves of an AE), `TrainingFailure` for a non-finite loss.
    public static func run(
        _ config: TrainingConfig, data: TrainingData, resources: EvaluationResources = EvaluationResources(),
        solveCurves: SolveCurveSettings? = nil, progress: ((TrainingProgress) -> Void)? = nil
    ) throws -> TrainingResult {
        try config.validate()
        BLAS.setThreads(1)
        switch config.method {
        case .gfe:
            var trainee = try GFETrainee(config: config, sampleSize: data.sampleSize, poolCount: data.train.count)
            return try run(
                config, data: data, trainee: &trainee, resources: resources, solveCurves: solveCurves,
                progress: progress)
        case .ae:
            var trainee = try AutoencoderTrainee(config: config, sampleSize: data.sampleSize)
            return try run(
                config, data: data, trainee: &trainee, resources: resources, solveCurves: solveCurves,
                progress: progress)
        }
    }

    /// Images seen after `iterations` batches of `batchSize` from a pool of `poolCount` images.
    public static func imagesSeen(afterIterations iterations: Int, poolCount: Int, batchSize: Int) -> Int {
        let perEpoch = (poolCount + batchSize - 1) / batchSize
        let epochs = iterations / perEpoch
        let rest = iterations - epochs * perEpoch
        return epochs * poolCount + min(rest * batchSize, poolCount)
    }

    private static func run<M: Trainee>(
        _ config: TrainingConfig, data: TrainingData, trainee: inout M, resources: EvaluationResources,
        solveCurves: SolveCurveSettings?, progress: ((TrainingProgress) -> Void)?
    ) throws -> TrainingResult {
        let started = ContinuousClock.now
        let b = config.batchSize
        let pool = data.train.count
        let total = config.budget.iterations(poolCount: pool, batchSize: b)
        let finalImages = imagesSeen(afterIterations: total, poolCount: pool, batchSize: b)
        if let beyond = config.checkpoints.imagesSeen.first(where: { $0 > finalImages }) {
            throw GFEError.badInput(
                "training config: checkpoint at \(beyond) images seen is beyond the budget, which ends "
                    + "at \(finalImages) images (\(total) iterations of \(b) from \(pool) training images); "
                    + "raise the budget or drop the checkpoint")
        }
        let curveRecorder = try solveCurves.map {
            try SolveCurveRecorder($0, config: config, train: data.train, totalIterations: total)
        }
        var nextCurve = 0
        let kinds = config.checkpoints.evaluations(for: config.method)
        let counts = config.checkpoints.imagesSeen
        let primary: EvaluationKind = config.method == .gfe ? .gfe : .ae
        let start = EvaluationStart.rule(seed: config.seed)
        // Built on first use: the evaluation split as one matrix (10,000 test images take 31 MB).
        var evaluationImages: Matrix<Float>?
        let validationImages = data.validation?.imageMatrix()
        let holdoutImages = data.holdout?.imageMatrix()

        var result = TrainingResult(
            config: config, iterations: [], validation: [], checkpoints: [],
            model: trainee.snapshot, optimiserStates: [], trainingSeconds: 0, totalSeconds: 0)
        result.iterations.reserveCapacity(total)
        var trainingSeconds = 0.0

        // Progress: the last iteration's numbers, plus the evaluation work planned and done (for ETAs).
        let validationRows = (validationImages?.rows ?? 0) + (holdoutImages?.rows ?? 0)
        let validations = config.validation.map { total / $0.every + ($0.atStart ? 1 : 0) } ?? 0
        let finalCheckpoint = config.checkpoints.atEnd && counts.last != finalImages ? 1 : 0
        var state = TrainingProgress(
            iteration: 0, totalIterations: total, imagesSeen: 0, loss: .nan, imagesPerSecond: 0,
            evaluationImagesPlanned: validations * validationRows
                + (counts.count + finalCheckpoint) * kinds.count * data.evaluation.count)
        /// Runs one evaluation of `count` images, reporting its start, its progress and its end.
        func evaluating(
            _ label: String, _ count: Int, _ body: (@escaping (Int) -> Void) throws -> EvaluationResult
        ) rethrows
            -> EvaluationResult
        {
            let began = ContinuousClock.now
            func report(_ stage: EvaluationStage?) {
                state.evaluation = stage
                progress?(state)
            }
            report(EvaluationStage(label: label, done: 0, total: count))
            let e = try body { done in
                report(EvaluationStage(label: label, done: done, total: count, seconds: secondsSince(began)))
            }
            state.evaluationImagesDone += count
            state.evaluationSeconds += secondsSince(began)
            report(nil)
            return e
        }

        func validate(iteration: Int, imagesSeen: Int) throws {
            let model = trainee.snapshot
            for (set, images) in [(ValidationRecord.Set.validation, validationImages), (.holdout, holdoutImages)] {
                guard let images else { continue }
                let e = try evaluating(set == .validation ? "validation" : "holdout", images.rows) { p in
                    try model.evaluate(
                        primary, images: images, batchSize: b, encoder: config.encoder,
                        start: start, resources: resources, progress: p)
                }
                result.validation.append(
                    ValidationRecord(
                        iteration: iteration, imagesSeen: imagesSeen,
                        wallSeconds: trainingSeconds, set: set, loss: e.meanLoss,
                        solve: e.statistics.map(SolveSummary.init)))
            }
        }

        func checkpoint(requested: Int?, iteration: Int, imagesSeen: Int) throws {
            let model = trainee.snapshot
            if evaluationImages == nil && !kinds.isEmpty { evaluationImages = data.evaluation.imageMatrix() }
            let number = result.checkpoints.count + 1
            let of = counts.count + finalCheckpoint
            let evaluations = try kinds.map { kind in
                try evaluating("checkpoint \(number)/\(of): \(kind.commandLineName)", evaluationImages!.rows) { p in
                    try model.evaluate(
                        kind, images: evaluationImages!, batchSize: b, encoder: config.encoder,
                        start: start, resources: resources, progress: p)
                }
            }
            result.checkpoints.append(
                CheckpointRecord(
                    requestedImagesSeen: requested, iteration: iteration,
                    imagesSeen: imagesSeen, wallSeconds: trainingSeconds,
                    model: model, evaluations: evaluations))
        }

        /// Records the solve curve due after `iteration` completed iterations, if one is.
        func recordSolveCurve(iteration: Int, imagesSeen: Int) throws {
            guard let recorder = curveRecorder, nextCurve < recorder.settings.iterations.count,
                recorder.settings.iterations[nextCurve] == iteration
            else { return }
            result.solveCurves.append(
                try recorder.curve(
                    model: trainee.snapshot, iteration: iteration,
                    imagesSeen: imagesSeen, wallSeconds: trainingSeconds))
            nextCurve += 1
        }

        func finish() -> TrainingResult {
            var r = result
            r.model = trainee.snapshot
            r.optimiserStates = trainee.optimiserStates
            r.trainingSeconds = trainingSeconds
            r.totalSeconds = secondsSince(started)
            return r
        }

        if config.validation?.atStart == true { try validate(iteration: 0, imagesSeen: 0) }
        var sampler = try data.train.sampler(batchSize: b, seed: config.seed)
        var batch: [Int] = []
        batch.reserveCapacity(b)
        var x = Matrix<Float>(rows: b, cols: data.sampleSize)
        var nextCheckpoint = 0

        while sampler.iteration < total {
            try recordSolveCurve(iteration: sampler.iteration, imagesSeen: sampler.imagesSeen)
            let iterationStart = ContinuousClock.now
            sampler.nextBatch(into: &batch)
            data.train.gather(batch, into: &x)
            let outcome = try trainee.step(x: x, positions: batch)
            trainingSeconds += secondsSince(iterationStart)
            let iteration = sampler.iteration
            let seen = sampler.imagesSeen
            guard outcome.finite else {
                throw TrainingFailure(
                    message: "training stopped at iteration \(iteration) (\(seen) images seen): "
                        + (outcome.meanLoss.isFinite
                            ? "a parameter gradient is not finite (batch loss \(outcome.meanLoss))"
                            : "the batch loss is not finite (\(outcome.meanLoss))")
                        + "; the model was not updated. Try a smaller learning rate or check the encoder settings.",
                    partial: finish())
            }
            result.iterations.append(
                IterationRecord(
                    iteration: iteration, imagesSeen: seen, loss: outcome.meanLoss,
                    wallSeconds: trainingSeconds, solve: outcome.solve))
            state.iteration = iteration
            state.imagesSeen = seen
            state.loss = outcome.meanLoss
            state.imagesPerSecond = trainingSeconds > 0 ? Double(seen) / trainingSeconds : 0
            state.trainingSeconds = trainingSeconds
            progress?(state)
            if let v = config.validation, iteration % v.every == 0 {
                try validate(iteration: iteration, imagesSeen: seen)
            }
            while nextCheckpoint < counts.count && seen >= counts[nextCheckpoint] {
                try checkpoint(requested: counts[nextCheckpoint], iteration: iteration, imagesSeen: seen)
                nextCheckpoint += 1
            }
        }
        try recordSolveCurve(iteration: sampler.iteration, imagesSeen: sampler.imagesSeen)
        if config.checkpoints.atEnd && result.checkpoints.last?.iteration != sampler.iteration {
            try checkpoint(requested: nil, iteration: sampler.iteration, imagesSeen: sampler.imagesSeen)
        }
        return finish()
    }
}
