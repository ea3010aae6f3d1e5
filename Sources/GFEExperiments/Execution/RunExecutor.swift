import Foundation
import GFECore
import GFEData
import GFEStore
import GFETraining

/// How a run attempt ended.
public struct RunOutcome: Sendable, Equatable {
    public enum Status: String, Sendable {
        /// Computed now and stored as finished.
        case finished
        /// Computed now and stored as failed (diverged or errored), with the reason.
        case failed
        /// Already finished in the store; nothing was done.
        case skipped
        /// Another process holds the run's lock (it is computing it); nothing was done.
        case busy
        /// The worker stopped before the run ended (Ctrl-C, or it was killed); nothing was stored.
        case interrupted
        /// The sweep stopped before the run was started (interrupted, or its workers could not run).
        case notRun = "not run"
    }

    public var index: Int
    public var runId: String
    public var status: Status
    public var reason: String?
    public var wallSeconds: Double

    public init(index: Int, runId: String, status: Status, reason: String? = nil, wallSeconds: Double = 0) {
        self.index = index
        self.runId = runId
        self.status = status
        self.reason = reason
        self.wallSeconds = wallSeconds
    }
}

/// What a run reports while it is computed.
public enum RunEvent: Sendable, Equatable {
    case started(index: Int, runId: String)
    /// "loading data", "training", "storing results".
    case phase(index: Int, String)
    case progress(index: Int, TrainingProgress)
    case done(RunOutcome)
}

/// The per-process context of run execution.
public struct RunEnvironment: Sendable {
    /// The results root; each run is stored under its experiment's folder there.
    public var resultsRoot: String
    public var code: CodeVersion
    public var locator: DataLocator
    /// Threads each evaluation uses (the numbers do not depend on it).
    public var evaluationThreads: Int
    public var commandLine: [String]

    public init(
        resultsRoot: String, code: CodeVersion, locator: DataLocator = .standard(), evaluationThreads: Int = 1,
        commandLine: [String] = CommandLine.arguments
    ) {
        self.resultsRoot = resultsRoot
        self.code = code
        self.locator = locator
        self.evaluationThreads = max(1, evaluationThreads)
        self.commandLine = commandLine
    }

    /// The run store of experiment `name` under the results root.
    public func store(_ name: String) -> RunStore { RunStore(root: resultsRoot, experiment: name) }
}

/// Computes one planned run into the run store: lock, working folder, data, training (TRAIN's `Trainer`),
/// curves.csv, run.h5 and run.json, then the rename that makes it visible. A run that diverges or errors
/// is stored as failed with its reason (and whatever curves it produced); only a failure to write the
/// store itself is thrown.
public enum RunExecutor {
    /// The training step: `Trainer.run` in production; tests may pass another (e.g. one that fails). It is
    /// given the spec's `outputs.solveCurves`, recorded during training.
    public typealias Training =
        @Sendable (
            TrainingConfig, TrainingData, EvaluationResources, SolveCurveSettings?,
            ((TrainingProgress) -> Void)?
        ) throws -> TrainingResult

    public static let defaultTraining: Training = { config, data, resources, solveCurves, progress in
        try Trainer.run(config, data: data, resources: resources, solveCurves: solveCurves, progress: progress)
    }

    /// The smallest interval between two progress events (the last iteration is always reported).
    public static let progressInterval: Duration = .milliseconds(250)

    public static func execute(
        _ run: PlannedRun, environment env: RunEnvironment, force: Bool, train: Training = defaultTraining,
        events: @escaping (RunEvent) -> Void
    ) throws -> RunOutcome {
        let store = env.store(run.experiment)
        func outcome(_ status: RunOutcome.Status, _ reason: String? = nil, _ wall: Double = 0) -> RunOutcome {
            let o = RunOutcome(index: run.index, runId: run.id, status: status, reason: reason, wallSeconds: wall)
            events(.done(o))
            return o
        }
        func settled() -> RunOutcome? {
            guard !force, let o = settledOutcome(run, store.state(of: run.id)) else { return nil }
            events(.done(o))
            return o
        }
        if let o = settled() { return o }
        guard let lock = try store.claim(run.id) else { return outcome(.busy, store.owner(of: run.id)) }
        defer { lock.release() }
        // Another process may have finished it (or seen it diverge) between the check and the lock.
        if let o = settled() { return o }

        let partial = store.partialFolder(run.id)
        try AtomicFile.createFolder(partial, what: "the run folder", failure: GFEError.runFailure)
        let startDate = Date()
        let clock = ContinuousClock.now
        events(.started(index: run.index, runId: run.id))

        var result: TrainingResult?
        var failure: String?
        var diverged = false
        var data: TrainingData?
        var latents: [[StoredLatents]] = []
        do {
            events(.phase(index: run.index, "loading data"))
            let dataset = try run.config.data.source.load(locator: env.locator)
            guard dataset.fingerprint == run.dataFingerprint else {
                throw GFEError.badInput(
                    "the data files of \(dataset.name) changed since the run was planned (fingerprint "
                        + "\(dataset.fingerprint.prefix(40))… ≠ \(run.dataFingerprint.prefix(40))…); plan again "
                        + "(delete \(store.root)/.cache if this persists)")
            }
            let cut = try TrainingData.cut(dataset, run.config)
            data = cut
            events(.phase(index: run.index, "training"))
            var last = ContinuousClock.now - progressInterval
            var lastStage: String?
            let resources = EvaluationResources(threads: env.evaluationThreads)
            let trained = try train(run.config, cut, resources, run.outputs.solveCurves) { p in
                // At most one event per interval, but every change between training and an evaluation at once
                // (the display shows the phase), and the last iteration.
                let now = ContinuousClock.now
                let stage = p.evaluation?.label
                if now - last >= progressInterval || stage != lastStage
                    || (stage == nil && p.iteration == p.totalIterations)
                {
                    last = now
                    lastStage = stage
                    events(.progress(index: run.index, p))
                }
            }
            result = trained
            if !run.outputs.latents.isEmpty {
                events(.phase(index: run.index, "encoding latents"))
                latents = try extraLatents(trained, data: cut, outputs: run.outputs, resources: resources)
            }
        } catch let f as TrainingFailure {
            result = f.partial
            failure = f.message
            diverged = true
        } catch let e as ReportableError {
            failure = e.message
        } catch {
            failure = "\(error)"
        }

        events(.phase(index: run.index, "storing results"))
        let wall = secondsSince(clock)
        let record = makeRecord(
            run, env: env, result: result, failure: failure, diverged: diverged,
            start: startDate, wall: wall)
        let attributes: [String: HDF5AttributeValue] = [
            "format": .string(RunRecord.format), "run_id": .string(run.id), "experiment": .string(run.experiment),
            "status": .string(record.status.rawValue), "config": .string(run.point.resolved.canonicalText),
            "outputs": .string(run.outputs.json.canonicalText), "data_fingerprint": .string(run.dataFingerprint),
            "code_version": .string(env.code.id), "reason": .string(failure ?? "")
        ]
        if let result {
            try CSV.write(RunOutputsWriter.curves(result, runId: run.id), to: partial + "/curves.csv")
            try RunOutputsWriter.hdf5(
                result, to: partial + "/run.h5", attributes: attributes, outputs: run.outputs,
                evaluationLabels: data?.evaluation.labels, latents: latents)
        } else {
            try CSV.write(
                CSVTable(header: RunOutputsWriter.curvesHeader),
                to: partial + "/curves.csv")
        }
        try AtomicFile.write(record.json.prettyText() + "\n", to: partial + "/run.json")
        try store.commit(partial: partial, id: run.id)
        return outcome(failure == nil ? .finished : .failed, failure, wall)
    }

    /// The outcome of a run that needs no computing unless forced: finished (skipped), or diverged (failed
    /// again without recomputing: training is deterministic, so the same inputs diverge again). Nil otherwise.
    public static func settledOutcome(_ run: PlannedRun, _ state: RunState) -> RunOutcome? {
        if state.isFinished { return RunOutcome(index: run.index, runId: run.id, status: .skipped) }
        guard let d = state.divergedRecord else { return nil }
        return RunOutcome(
            index: run.index, runId: run.id, status: .failed, reason: keptReason(d),
            wallSeconds: d.wallSeconds)
    }

    /// The failure reason reported for a diverged run that is kept instead of recomputed.
    public static func keptReason(_ record: RunRecord) -> String {
        "diverged when computed (ended \(record.endTime)), kept: the same inputs diverge again; --force recomputes it. "
            + (record.reason ?? "no reason recorded")
    }

    /// Stores run `run` as failed with `reason` when the process computing it died without recording it
    /// (a crash). Does nothing when another process holds the run's lock or the run has finished meanwhile.
    public static func recordFailure(
        _ run: PlannedRun, environment env: RunEnvironment, reason: String, wallSeconds: Double
    ) throws {
        let store = env.store(run.experiment)
        guard let lock = try store.claim(run.id) else { return }
        defer { lock.release() }
        if store.state(of: run.id).isFinished { return }
        // Whatever the failed attempt left half-written goes (it may be what filled the disk).
        let partial = store.partialFolder(run.id)
        try? FileManager.default.removeItem(atPath: partial)
        try AtomicFile.createFolder(partial, what: "the run folder", failure: GFEError.runFailure)
        let start = Date().addingTimeInterval(-wallSeconds)
        let record = makeRecord(
            run, env: env, result: nil, failure: reason, diverged: false,
            start: start, wall: wallSeconds)
        try CSV.write(
            CSVTable(header: RunOutputsWriter.curvesHeader),
            to: partial + "/curves.csv")
        try AtomicFile.write(record.json.prettyText() + "\n", to: partial + "/run.json")
        try store.commit(partial: partial, id: run.id)
    }

    /// Train and validation latents at every checkpoint, as `outputs` asks (the evaluation split's latents
    /// come with the checkpoint evaluations themselves).
    static func extraLatents(
        _ result: TrainingResult, data: TrainingData, outputs: OutputSettings,
        resources: EvaluationResources
    ) throws -> [[StoredLatents]] {
        let config = result.config
        let primary: EvaluationKind = config.method == .gfe ? .gfe : .ae
        var sets: [(OutputSettings.LatentSet, Matrix<Float>, [UInt8]?)] = []
        if outputs.latents.contains(.train) {
            let n = min(outputs.trainLatentCount, data.train.count)
            var x = Matrix<Float>(rows: n, cols: data.sampleSize)
            data.train.gather(0..<n, into: &x)
            sets.append((.train, x, data.train.labels.map { Array($0.prefix(n)) }))
        }
        if outputs.latents.contains(.validation), let v = data.validation {
            sets.append((.validation, v.imageMatrix(), v.labels))
        }
        guard !sets.isEmpty else { return [] }
        return try result.checkpoints.map { c in
            try sets.map { set, images, labels in
                let e = try c.model.evaluate(
                    primary, images: images, batchSize: config.batchSize, encoder: config.encoder,
                    start: .rule(seed: config.seed), resources: resources)
                return StoredLatents(set: set, result: e, labels: labels)
            }
        }
    }

    static func makeRecord(
        _ run: PlannedRun, env: RunEnvironment, result: TrainingResult?,
        failure: String?, diverged: Bool, start: Date, wall: Double
    ) -> RunRecord {
        let p = Provenance.current(commandLine: env.commandLine)
        var provenance = JSONObject([
            ("host", .string(p.host)), ("pid", JSONValue(Int(p.pid))), ("cpu", .string(p.cpuModel)),
            ("cores", JSONValue(p.cores)), ("swift", .string(p.swiftVersion)), ("openblas", .string(p.openBLAS)),
            ("openblasCore", .string(p.openBLASCore)), ("kernel", .string(p.kernelPath)),
            ("arithmetic", .string(RowGemm.arithmetic)), ("hdf5", .string(p.hdf5)),
            ("blasThreads", JSONValue(BLAS.threads)), ("evaluationThreads", JSONValue(env.evaluationThreads)),
            ("commandLine", .array(p.commandLine.map { .string($0) }))
        ])
        if let slurm = p.slurm {
            var job = JSONObject([("jobId", .string(slurm.job))])
            if let task = slurm.task { job["arrayTaskId"] = .string(task) }
            if let node = slurm.node { job["node"] = .string(node) }
            provenance["slurm"] = .object(job)
        }
        let swept = run.point.sweptObject
        return RunRecord(
            status: failure == nil ? .finished : .failed, reason: failure, diverged: diverged,
            experiment: run.experiment,
            runId: run.id,
            index: run.index, label: run.label, swept: swept, config: run.point.resolved,
            outputs: run.outputs.json,
            dataset: run.config.data.source.name, dataFingerprint: run.dataFingerprint, code: env.code,
            provenance: provenance, startTime: Provenance.timestamp(start),
            endTime: Provenance.timestamp(start.addingTimeInterval(wall)), wallSeconds: wall,
            trainingSeconds: result?.trainingSeconds, iterations: result?.iterations.last?.iteration ?? 0,
            imagesSeen: result?.iterations.last?.imagesSeen ?? 0, finalTrainLoss: result?.iterations.last?.loss,
            checkpoints: result.map(RunOutputsWriter.checkpointSummaries) ?? [])
    }
}
