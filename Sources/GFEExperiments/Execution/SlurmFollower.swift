import Foundation
import GFECore

/// Follows the array tasks computing a plan's runs on Slurm until every one has ended, with the progress
/// display of a local sweep: per task pending (with Slurm's reason), running (with the last progress line of
/// its run's log), finished, or failed with the reason. A task that ends without storing a result
/// (cancelled, out of time, killed, node lost) gets its run stored as failed with what Slurm and the log say,
/// so `gfe status` shows it and the next `gfe run` computes it again.
public final class SlurmFollower: @unchecked Sendable {
    /// A run and the array task computing it.
    public struct Tracked: Sendable {
        public var index: Int
        public var job: String
        public var task: String
        /// When the job was submitted (ISO 8601): a failed record older than this is an earlier attempt's.
        public var submitted: String

        public init(index: Int, job: String, task: String, submitted: String) {
            self.index = index
            self.job = job
            self.task = task
            self.submitted = submitted
        }

        /// "job_task", as squeue and scancel name it.
        public var key: String { "\(job)_\(task)" }
    }

    private let plan: ExperimentPlan
    private let environment: RunEnvironment
    private let cluster: SlurmCluster
    private let display: ProgressDisplay
    private let pollInterval: Double
    private let lock = NSLock()
    private var stopRequested = false

    public init(
        plan: ExperimentPlan, environment: RunEnvironment, cluster: SlurmCluster = SlurmCluster(),
        display: ProgressDisplay, pollInterval: Double = 2
    ) {
        self.plan = plan
        self.environment = environment
        self.cluster = cluster
        self.display = display
        self.pollInterval = pollInterval
    }

    /// Stops following (Ctrl-C); the jobs go on.
    public func stop() {
        lock.lock()
        stopRequested = true
        lock.unlock()
    }

    private var stopping: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopRequested
    }

    /// Follows `tracked` until each task has ended; `settled` are outcomes known already (finished or kept
    /// runs). The summary covers every run of the plan; `interrupted` means following stopped early.
    public func follow(_ tracked: [Tracked], settled: [Int: RunOutcome]) -> SweepSummary {
        let started = ContinuousClock.now
        let store = environment.store(plan.name)
        let logs = SlurmSubmissions(store: store)
        var outcomes = settled
        var open = tracked
        var announced: Set<Int> = []
        var failedQueries = 0
        var fatal: String?
        var interrupted = false
        while !open.isEmpty {
            if stopping {
                interrupted = true
                break
            }
            let tasks: [String: SlurmCluster.Task]
            do {
                tasks = try cluster.tasks(of: open.map(\.job))
                failedQueries = 0
            } catch {
                failedQueries += 1
                let message = (error as? ReportableError)?.message ?? "\(error)"
                if failedQueries >= 5 {
                    fatal = "lost contact with Slurm (\(message)); the jobs may still run: gfe status shows them"
                    break
                }
                display.log("squeue failed (\(message)); trying again")
                pause()
                continue
            }
            var pending = 0
            var lines: [String] = []
            var waiting: [String] = []
            for t in open {
                let run = plan.runs[t.index]
                let task = tasks[t.key]
                let state = store.state(of: run.id)
                if let task, task.isActive, !state.isFinished {
                    if task.cannotStart {
                        fatal =
                            "Slurm will not start job \(t.job): task \(t.key) is pending with reason \(task.reason) (the "
                            + "request exceeds what the partition, account or QOS allows: check --cpus, --mem, --time, "
                            + "--partition); gfe cancel stops the job"
                        break
                    }
                    if task.state == "PENDING" {
                        pending += 1
                        // The first few, so that a long queue does not push the running tasks off the screen.
                        if pending <= 3 {
                            let why = task.why.map { " (\($0))" } ?? ""
                            waiting.append("  job \(t.key)  run \(t.index)  \(run.name)  pending\(why)")
                        }
                        continue
                    }
                    if announced.insert(t.index).inserted {
                        display.log(run.logPrefix + ": running on \(task.node) (job \(t.key))")
                    }
                    lines.append("  job \(t.key)  run \(t.index)  \(run.name)  " + progress(logs, run))
                    continue
                }
                if case .running = state {
                    lines.append("  run \(t.index)  \(run.name)  being computed by another process; waiting for it")
                    continue
                }
                let outcome = ended(t, run: run, task: task, state: state, logs: logs)
                outcomes[t.index] = outcome
                open.removeAll { $0.index == t.index }
                if outcome.status == .finished {
                    display.log(run.logPrefix + ": finished in \(Human.duration(outcome.wallSeconds))")
                } else {
                    display.log(run.logPrefix + ": FAILED — \(outcome.reason ?? "no reason given")")
                }
            }
            if fatal != nil { break }
            let done = outcomes.count
            let failed = outcomes.values.filter { $0.status == .failed }.count
            let jobs = Set(open.map(\.job)).sorted().joined(separator: ", ")
            var header = "\(plan.name): \(done)/\(plan.runs.count) done"
            if failed > 0 { header += " (\(failed) failed)" }
            header += " · \(lines.count) running · \(pending) pending on the cluster"
            if !jobs.isEmpty { header += " (job \(jobs))" }
            header += " · \(Human.duration(secondsSince(started))) elapsed"
            if !open.isEmpty {
                if pending > waiting.count { waiting.append("  … and \(pending - waiting.count) more pending") }
                display.update([header] + lines + waiting)
                pause()
            }
        }
        display.finish()
        let all = plan.runs.map {
            outcomes[$0.index] ?? RunOutcome(index: $0.index, runId: $0.id, status: .notRun)
        }
        return SweepSummary(outcomes: all, interrupted: interrupted, fatal: fatal, elapsed: secondsSince(started))
    }

    /// The outcome of a run whose task has ended (or that Slurm no longer knows).
    private func ended(
        _ t: Tracked, run: PlannedRun, task: SlurmCluster.Task?, state: RunState, logs: SlurmSubmissions
    ) -> RunOutcome {
        switch state {
        case .finished(let r):
            return RunOutcome(index: t.index, runId: run.id, status: .finished, wallSeconds: r.wallSeconds)
        case .failed(let r) where r.endTime >= t.submitted:
            return RunOutcome(
                index: t.index, runId: run.id, status: .failed, reason: r.reason, wallSeconds: r.wallSeconds)
        default:
            let reason = Self.endedWithoutResult(job: t.key, task: task, log: logs.logTail(runId: run.id, count: 1))
            do {
                try RunExecutor.recordFailure(run, environment: environment, reason: reason, wallSeconds: 0)
            } catch {
                display.log("could not record the failure of run \(t.index): \(error)")
            }
            return RunOutcome(index: t.index, runId: run.id, status: .failed, reason: reason)
        }
    }

    /// Why a task ended without a result, from Slurm's last word on it and its log's last line.
    public static func endedWithoutResult(job: String, task: SlurmCluster.Task?, log: [String]) -> String {
        var reason = "the Slurm task \(job) ended without storing a result"
        if let task {
            reason += " (\(task.state)" + (task.why.map { ": \($0)" } ?? "") + ")"
        }
        if let last = log.last { reason += "; its log ends: \(last)" } else { reason += "; it wrote no log" }
        return reason
    }

    /// A running task's latest progress: the last line of its run's log, without the run's own prefix.
    private func progress(_ logs: SlurmSubmissions, _ run: PlannedRun) -> String {
        guard let last = logs.logTail(runId: run.id, count: 1).last else { return "starting" }
        let own = run.logPrefix + ": "
        return last.hasPrefix(own) ? String(last.dropFirst(own.count)) : last
    }

    /// Waits one poll interval, waking early when asked to stop.
    private func pause() {
        let deadline = ContinuousClock.now + .milliseconds(Int64(pollInterval * 1000))
        while ContinuousClock.now < deadline && !stopping { usleep(50_000) }
    }
}
