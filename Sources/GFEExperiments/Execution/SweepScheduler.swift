import Foundation
import GFECore
import GFEData
import GFEProcess
import GFETraining

#if canImport(Glibc)
import Glibc
#endif

/// How a sweep runs its workers.
public struct SweepOptions: Sendable {
    /// Worker processes (each computes one run at a time with one BLAS thread).
    public var jobs: Int
    /// Recompute finished runs.
    public var force: Bool
    /// The `gfe` executable and the arguments that make it a worker of this plan
    /// (`run SPEC --worker --results DIR --threads N`).
    public var executable: String
    public var workerArguments: [String]
    public var environment: [String: String]

    public init(jobs: Int, force: Bool, executable: String, workerArguments: [String], environment: [String: String]) {
        self.jobs = max(1, jobs)
        self.force = force
        self.executable = executable
        self.workerArguments = workerArguments
        self.environment = environment
    }
}

/// The end of a sweep: every planned run's outcome, in plan order.
public struct SweepSummary: Sendable {
    public var outcomes: [RunOutcome]
    public var interrupted: Bool
    /// Why the sweep stopped early when its workers could not go on (e.g. the spec changed).
    public var fatal: String?
    public var elapsed: Double

    /// 130 interrupted, 2 a worker stopped on bad input, 1 any run failed or was not run, 0 otherwise.
    public var exitCode: Int32 {
        if interrupted { return 130 }
        if fatal != nil { return 2 }
        return outcomes.contains { $0.status == .failed || $0.status == .notRun || $0.status == .interrupted } ? 1 : 0
    }

    public func count(_ status: RunOutcome.Status) -> Int { outcomes.filter { $0.status == status }.count }

    /// The final report: a count line, then one line per run (index, id, status, time, swept values, reason).
    public func report(plan: ExperimentPlan, store: RunStore) -> String {
        var parts: [String] = []
        for status in [RunOutcome.Status.finished, .skipped, .failed, .interrupted, .notRun, .busy]
        where count(status) > 0 {
            let name = status == .skipped ? "already finished" : status == .busy ? "running elsewhere" : status.rawValue
            parts.append("\(count(status)) \(name)")
        }
        var lines = [
            "\(plan.name): \(outcomes.count) run\(outcomes.count == 1 ? "" : "s"): " + parts.joined(separator: ", ")
                + " (\(Human.duration(elapsed)))" + (interrupted ? " — interrupted" : "")
        ]
        let width = String(max(outcomes.count - 1, 0)).count
        let statusWidth = outcomes.map { $0.status.rawValue.count }.max() ?? 0
        for o in outcomes {
            let run = plan.runs[o.index]
            var line =
                "  " + String(repeating: " ", count: width - String(o.index).count) + "\(o.index)  \(o.runId)  "
                + o.status.rawValue.padding(toLength: statusWidth, withPad: " ", startingAt: 0)
            line +=
                "  "
                + (o.status == .finished || o.status == .failed
                    ? Human.duration(o.wallSeconds).padding(toLength: 7, withPad: " ", startingAt: 0) : "       ")
            line += "  " + run.name
            if let reason = o.reason, o.status != .finished {
                line += "\n" + String(repeating: " ", count: width + 4) + "└ " + reason
            }
            lines.append(line)
        }
        if let fatal { lines.append("stopped: \(fatal)") }
        lines.append("results: \(store.folder)/<run id>/   (gfe status, gfe table)")
        return lines.joined(separator: "\n")
    }
}

/// Runs the not-yet-finished runs of a plan in worker processes (`gfe run SPEC --worker`), shows progress,
/// and collects every outcome. A worker that dies while computing a run gets that run stored as failed
/// (with the end of its error output) and is replaced; Ctrl-C (`interrupt()`) stops the sweep, forwarding
/// the signal to the workers, and a second one kills them.
public final class SweepScheduler: @unchecked Sendable {
    private let plan: ExperimentPlan
    private let environment: RunEnvironment
    private let options: SweepOptions
    private let display: ProgressDisplay

    private let condition = NSCondition()
    private var messages: [(slot: Int, message: SlotMessage)] = []
    private var interrupts = 0

    private var slots: [WorkerSlot] = []
    private var pending: [Int] = []
    private var deferred: [Int] = []
    private var outcomes: [Int: RunOutcome] = [:]
    private var fatal: String?
    private var consecutiveDeaths = 0
    private let started = ContinuousClock.now
    /// The latest progress of every run that reported any (the ETA's rates and work left).
    private var latest: [Int: TrainingProgress] = [:]

    enum SlotMessage {
        case line(String)
        case errorLine(String)
        case exited(Int32)
    }

    final class WorkerSlot {
        let number: Int
        let child: ChildProcess
        var task: Int?
        var taskStarted = ContinuousClock.now
        var phase = "starting"
        var progress: TrainingProgress?
        /// The first and the last lines the worker wrote to its standard error (a crash writes its error
        /// first, then a backtrace of any length).
        var errorHead: [String] = []
        var errorTail: [String] = []
        var errorLines: [String] { errorHead + errorTail }
        var exitCode: Int32?
        var inputClosed = false
        var completed = 0
        var ready = false
        var fatal: String?

        init(number: Int, child: ChildProcess) {
            self.number = number
            self.child = child
        }
    }

    public init(plan: ExperimentPlan, environment: RunEnvironment, options: SweepOptions, display: ProgressDisplay) {
        self.plan = plan
        self.environment = environment
        self.options = options
        self.display = display
    }

    /// Asks the sweep to stop (call from a signal handler's queue): the first call forwards SIGINT to the
    /// workers and lets them end; a second kills them.
    public func interrupt() {
        condition.lock()
        interrupts += 1
        condition.signal()
        condition.unlock()
    }

    public func run() -> SweepSummary {
        let store = environment.store(plan.name)
        var kept = 0
        for r in plan.runs {
            if !options.force, let settled = RunExecutor.settledOutcome(r, store.state(of: r.id)) {
                outcomes[r.index] = settled
                if settled.status == .failed { kept += 1 }
            } else {
                pending.append(r.index)
            }
        }
        let skipped = plan.runs.count - pending.count - kept
        let workers = min(options.jobs, pending.count)
        display.log(
            "\(plan.name): \(plan.runs.count) run\(plan.runs.count == 1 ? "" : "s") planned"
                + (skipped > 0 ? ", \(skipped) already finished" : "")
                + (kept > 0 ? ", \(kept) diverged before (kept; --force recomputes)" : "")
                + (pending.isEmpty
                    ? "; nothing to compute"
                    : "; computing \(pending.count) with \(workers) worker\(workers == 1 ? "" : "s")")
                + " → \(store.folder)")

        var stopping = false
        var killed = false
        var lastDeferredCheck = ContinuousClock.now
        while true {
            condition.lock()
            let interrupted = interrupts > 0
            let kill = interrupts > 1
            condition.unlock()
            if kill && !killed {
                killed = true
                for s in slots where s.exitCode == nil { s.child.signal(SIGKILL) }
            }
            if (interrupted || fatal != nil) && !stopping {
                stopping = true
                for i in pending + deferred { outcomes[i] = notRun(i) }
                pending.removeAll()
                deferred.removeAll()
                if interrupted {
                    display.log("interrupted: stopping the workers (press Ctrl-C again to kill them)")
                    for s in slots where s.exitCode == nil { s.child.signal(SIGINT) }
                } else {
                    for s in slots where s.exitCode == nil && s.task == nil {
                        s.child.closeInput()
                        s.inputClosed = true
                    }
                }
            }
            if !stopping {
                if !deferred.isEmpty && ContinuousClock.now - lastDeferredCheck >= .seconds(1) {
                    lastDeferredCheck = ContinuousClock.now
                    let free = deferred.filter { !RunLock.isHeld(store.lockPath(plan.runs[$0].id)) }
                    deferred.removeAll { free.contains($0) }
                    pending += free
                }
                spawnWorkersIfNeeded()
                assignTasks()
            } else {
                // Stopping: workers that become idle get no more work.
                for s in slots where s.exitCode == nil && s.task == nil && !s.inputClosed {
                    s.child.closeInput()
                    s.inputClosed = true
                }
            }
            let allExited = slots.allSatisfy { $0.exitCode != nil }
            if allExited && (stopping || (pending.isEmpty && deferred.isEmpty)) { break }
            if allExited && !pending.isEmpty && consecutiveDeaths >= 3 {
                fatal =
                    "worker processes keep dying before they are ready: "
                    + (slots.last.map { Self.crashCause($0.errorLines) } ?? "no message")
                continue
            }
            for (slot, message) in waitForMessages() { handle(message, slot: slots[slot]) }
            render()
        }
        display.finish()
        store.removeStalePartials()
        let all = plan.runs.map { outcomes[$0.index] ?? notRun($0.index) }
        condition.lock()
        let interrupted = interrupts > 0
        condition.unlock()
        return SweepSummary(outcomes: all, interrupted: interrupted, fatal: fatal, elapsed: elapsedSeconds)
    }

    private func notRun(_ i: Int) -> RunOutcome {
        RunOutcome(index: i, runId: plan.runs[i].id, status: .notRun)
    }

    private var elapsedSeconds: Double { secondsSince(started) }

    // MARK: - Workers

    private func spawnWorkersIfNeeded() {
        let live = slots.filter { $0.exitCode == nil && !$0.inputClosed }
        let idle = live.filter { $0.task == nil }.count
        var wanted = min(options.jobs - live.count, pending.count - idle)
        while wanted > 0 && consecutiveDeaths < 3 {
            wanted -= 1
            do {
                let child = try ChildProcess.spawn(
                    options.executable, arguments: options.workerArguments,
                    environment: options.environment)
                let slot = WorkerSlot(number: slots.count, child: child)
                slots.append(slot)
                startReaders(slot)
            } catch {
                fatal = (error as? ReportableError)?.message ?? "\(error)"
                return
            }
        }
    }

    /// Two threads per worker: stdout lines, and stderr lines; after both end, the exit status.
    private func startReaders(_ slot: WorkerSlot) {
        let errorsDone = DispatchSemaphore(value: 0)
        let number = slot.number
        let child = slot.child
        Thread { [self] in
            ChildProcess.readLines(child.errorOutput) { self.post(number, .errorLine($0)) }
            errorsDone.signal()
        }.start()
        Thread { [self] in
            ChildProcess.readLines(child.output) { self.post(number, .line($0)) }
            errorsDone.wait()
            self.post(number, .exited(child.wait()))
        }.start()
    }

    private func post(_ slot: Int, _ message: SlotMessage) {
        condition.lock()
        messages.append((slot, message))
        condition.signal()
        condition.unlock()
    }

    private func waitForMessages() -> [(slot: Int, message: SlotMessage)] {
        condition.lock()
        defer { condition.unlock() }
        if messages.isEmpty && interrupts == 0 { _ = condition.wait(until: Date().addingTimeInterval(0.2)) }
        let batch = messages
        messages.removeAll()
        return batch
    }

    private func assignTasks() {
        for s in slots where s.exitCode == nil && s.task == nil && !s.inputClosed {
            if !pending.isEmpty {
                let i = pending.removeFirst()
                let run = plan.runs[i]
                guard s.child.send(WorkerProtocol.Task(run: run, force: options.force).line) else {
                    pending.insert(i, at: 0)
                    continue
                }
                s.task = i
                s.taskStarted = ContinuousClock.now
                s.phase = "starting"
                s.progress = nil
            } else if deferred.isEmpty {
                s.child.closeInput()
                s.inputClosed = true
            }
        }
    }

    /// What a dead worker's standard error says went wrong: Swift's "Fatal error: …" line (a backtrace
    /// follows it), HDF5's innermost error ("#000: … major: …, minor: …"), or else its last three lines.
    static func crashCause(_ lines: [String]) -> String {
        if let fatal = lines.first(where: { $0.contains("Fatal error:") }) {
            return fatal.trimmingCharacters(in: .whitespaces)
        }
        if let hdf5 = lines.lastIndex(where: { $0.contains("HDF5-DIAG") }) {
            let stack = lines[hdf5...].map { $0.trimmingCharacters(in: .whitespaces) }
            let detail = stack.filter { $0.hasPrefix("major:") || $0.hasPrefix("minor:") }.suffix(2)
            if !detail.isEmpty { return "HDF5: " + detail.joined(separator: ", ") }
        }
        return lines.suffix(3).joined(separator: " | ")
    }

    private func handle(_ message: SlotMessage, slot s: WorkerSlot) {
        switch message {
        case .errorLine(let line):
            guard !line.isEmpty else { break }
            if s.errorHead.count < 20 {
                s.errorHead.append(line)
            } else {
                s.errorTail.append(line)
                if s.errorTail.count > 20 { s.errorTail.removeFirst() }
            }
        case .line(let line):
            switch WorkerProtocol.decode(line) {
            case .ready?:
                s.ready = true
                consecutiveDeaths = 0
            case .fatal(let m)?:
                s.fatal = m
                fatal = fatal ?? m
            case .event(let e)?: handle(e, slot: s)
            case nil: if !line.isEmpty { display.log("worker \(s.number + 1): \(line)") }
            }
        case .exited(let code):
            s.exitCode = code
            if let i = s.task {
                let run = plan.runs[i]
                let wall = secondsSince(s.taskStarted)
                s.task = nil
                condition.lock()
                let interrupted = interrupts > 0
                condition.unlock()
                if let reason = s.fatal {
                    outcomes[i] = RunOutcome(index: i, runId: run.id, status: .notRun, reason: reason)
                } else if interrupted || code == 130 || code == 128 + SIGINT {
                    outcomes[i] = RunOutcome(index: i, runId: run.id, status: .interrupted, wallSeconds: wall)
                    display.log(prefix(i) + ": interrupted")
                } else {
                    let how = code > 128 ? "was killed by signal \(code - 128)" : "exited with code \(code)"
                    let cause = Self.crashCause(s.errorLines)
                    let reason =
                        "the worker process \(how) while computing this run" + (cause.isEmpty ? "" : ": \(cause)")
                    do {
                        try RunExecutor.recordFailure(
                            run, environment: environment, reason: reason, wallSeconds: wall)
                    } catch {
                        display.log("could not record the failure of run \(i): \(error)")
                    }
                    outcomes[i] = RunOutcome(
                        index: i, runId: run.id, status: .failed, reason: reason, wallSeconds: wall)
                    display.log(prefix(i) + ": FAILED — \(reason)")
                }
            }
            if !s.ready && s.fatal == nil { consecutiveDeaths += 1 }
        }
    }

    private func handle(_ event: RunEvent, slot s: WorkerSlot) {
        switch event {
        case .started(let i, _):
            s.phase = "starting"
            display.log(prefix(i) + ": started")
        case .phase(_, let phase):
            s.phase = phase
        case .progress(let i, let p):
            s.progress = p
            s.phase = "training"
            latest[i] = p
        case .done(let o):
            s.task = nil
            s.completed += 1
            switch o.status {
            case .busy:
                deferred.append(o.index)
                display.log(
                    prefix(o.index) + ": being computed by another process" + (o.reason.map { " (\($0))" } ?? "")
                        + "; waiting for it")
            case .skipped:
                outcomes[o.index] = o
                display.log(prefix(o.index) + ": already finished")
            case .finished:
                outcomes[o.index] = o
                display.log(prefix(o.index) + ": finished in \(Human.duration(o.wallSeconds))" + resultNote(o.index))
            default:
                outcomes[o.index] = o
                display.log(
                    prefix(o.index)
                        + ": FAILED after \(Human.duration(o.wallSeconds)) — \(o.reason ?? "no reason given")")
            }
        }
    }

    /// " (test_loss_gfe 0.2098 at 5,760 images)" from the stored record's last checkpoint.
    private func resultNote(_ i: Int) -> String {
        guard case .finished(let r) = environment.store(plan.name).state(of: plan.runs[i].id),
            let c = r.checkpoints.last
        else {
            return ""
        }
        // The losses only: the costs beside them (passes, CPU seconds) are in run.json and tables.
        let metrics = c.metrics.keys.sorted().filter { $0.contains("_loss_") }
            .map { "\($0) \(String(format: "%.4f", c.metrics[$0]!))" }
        return metrics.isEmpty
            ? "" : " (" + metrics.joined(separator: ", ") + " at \(grouped(c.imagesSeen)) images)"
    }

    private func prefix(_ i: Int) -> String { plan.runs[i].logPrefix }

    // MARK: - Display

    private func render() {
        let running = slots.filter { $0.exitCode == nil && $0.task != nil }
        let done = outcomes.values.filter { $0.status != .notRun }.count
        let failed = outcomes.values.filter { $0.status == .failed }.count
        let open = (running.compactMap(\.task) + pending + deferred).map { i in
            SweepETA.Run(
                progress: running.contains { $0.task == i } ? latest[i] : nil,
                plannedIterations: plan.runs[i].config.plannedIterations)
        }
        let eta = SweepETA.text(
            SweepETA.estimate(open: open, reported: Array(latest.values), workers: max(slots.count, 1)))
        var header = "\(plan.name): \(done)/\(plan.runs.count) done"
        if failed > 0 { header += " (\(failed) failed)" }
        header += " · \(running.count) running · \(pending.count) waiting"
        if !deferred.isEmpty { header += " · \(deferred.count) held by other processes" }
        header += " · \(Human.duration(elapsedSeconds)) elapsed · \(eta)"
        var lines = [header]
        for s in running {
            guard let i = s.task else { continue }
            lines.append(
                WorkerLine.text(
                    index: i, label: plan.runs[i].name, phase: s.phase, progress: s.progress,
                    seconds: secondsSince(s.taskStarted)))
        }
        display.update(lines)
    }

}
