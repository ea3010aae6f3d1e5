import ArgumentParser
import Foundation
import GFECore
import GFEExperiments
import GFETraining
import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

/// The arguments every experiment command takes: the spec, overrides, and the results root.
struct ExperimentArguments: ParsableArguments {
    @Argument(help: "The experiment spec (JSON; see docs/specs.md), e.g. experiments/table1.json.")
    var spec: String

    @Option(
        name: .customLong("set"),
        help: ArgumentHelp(
            "Override a field of every run's configuration, e.g. --set budget.iterations=20 "
                + "(repeatable; overriding a swept field fixes it).", valueName: "path=value"))
    var overrides: [String] = []

    @Option(
        help: ArgumentHelp(
            "Replace the spec's seeds: a count N (the spec's first seed and the N − 1 integers "
                + "after it) or a list a,b,c. Give it to every command, as --set.", valueName: "N|list"))
    var seeds: String?

    @Option(help: "The results root; runs go to <results>/<experiment>/<run id>/.")
    var results: String = "results"

    func validate() throws {
        if results.isEmpty { throw ValidationError("--results is empty; give the results folder (default: results)") }
    }

    /// The arguments that name this plan, for commands the user is told to run next.
    var commandArguments: String {
        ([spec] + overrides.flatMap { ["--set", $0] } + (seeds.map { ["--seeds", $0] } ?? [])
            + (results == "results" ? [] : ["--results", results])).map(shellQuote).joined(separator: " ")
    }

    func open(writeCache: Bool = false, checkDirty: Bool = false, index: Int? = nil) throws -> ExperimentSession {
        try ExperimentSession.open(
            spec: spec, overrides: overrides, seeds: seeds, resultsRoot: results,
            toolVersion: GFE.version, writeCache: writeCache, checkDirty: checkDirty, index: index)
    }
}

/// Writes straight to stdout (file descriptor 1), unbuffered, so it interleaves correctly with the
/// progress display.
func say(_ text: String) {
    _ = try? FileDescriptor.standardOutput.writeAll((text + "\n").utf8)
}

/// `gfe run SPEC`: computes every planned run not yet finished, in worker processes.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run an experiment: every run of its plan that has not finished yet.",
        discussion: """
            Runs are computed by --jobs worker processes, one run each at a time with one BLAS thread. A run's id \
            is a hash of its resolved configuration, the data and the code version, so finished runs are skipped \
            and an interrupted sweep resumes where it stopped (--force recomputes them). \
            A run that diverges or errors is stored as failed with its reason while the others continue; \
            a run that errored is retried by the next gfe run, one that diverged is kept (the same inputs \
            diverge again) unless --force. \
            Ctrl-C stops the sweep (twice: kills the workers); nothing finished is lost. \
            --index I computes plan entry I in this process (for cluster job arrays; see gfe plan --slurm). \
            --executor slurm submits the unfinished runs as one Slurm job array instead (runs an earlier \
            submission still has queued are followed, not submitted again) and follows it until every task has \
            ended; Ctrl-C stops following only, --no-wait returns after submitting, gfe cancel stops the job \
            (docs/cluster.md). \
            Exit status: 0 all runs finished, 1 some run failed, 2 bad input, 130 interrupted.
            """)

    enum Executor: String, ExpressibleByArgument, CaseIterable {
        case local, slurm
    }

    @OptionGroup var experiment: ExperimentArguments

    @Option(help: "Worker processes (default: the number of cores).")
    var jobs: Int?

    @Option(help: "Compute only plan entry I, in this process (idempotent: a finished run is skipped).")
    var index: Int?

    @Flag(help: "Recompute runs that already finished.")
    var force = false

    @Flag(help: "Show what would be computed or skipped; write nothing.")
    var dryRun = false

    @Option(
        help: "Threads for the test-set evaluations of each run (default: the number of cores; never changes a number)."
    )
    var threads: Int?

    @Option(help: "Seconds between progress reports when the output is not a terminal.")
    var progressEvery: Double = 30

    @Option(help: "Where the runs are computed: local (worker processes here) or slurm (one job array).")
    var executor: Executor = .local

    @Flag(help: "With --executor slurm: submit and return without following the job.")
    var noWait = false

    @OptionGroup(title: "Slurm job (with --executor slurm)")
    var job: SlurmArguments

    @Option(help: ArgumentHelp("With --index: refuse unless the plan gives entry I this run id.", valueName: "run id"))
    var expectId: String?

    @Flag(help: .hidden)
    var worker = false

    func validate() throws {
        // ValidationError: ArgumentParser reports it as a usage error, which `gfe` exits with 2.
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1, got \(jobs)") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
        if index != nil && jobs != nil { throw ValidationError("--index runs one entry in this process; drop --jobs") }
        if !(progressEvery > 0) { throw ValidationError("--progress-every must be a positive number of seconds") }
        if executor == .slurm {
            if index != nil {
                throw ValidationError("--index computes one entry here; it does not go with --executor slurm")
            }
            if jobs != nil { throw ValidationError("--jobs is for --executor local; on Slurm use --parallel N") }
        } else if noWait {
            throw ValidationError("--no-wait is for --executor slurm (a local run computes in this process)")
        }
        if expectId != nil && index == nil { throw ValidationError("--expect-id goes with --index") }
    }

    func run() throws {
        if worker { return try runWorker() }
        if dryRun { return try runDry() }
        if let index { return try runIndex(index) }
        if executor == .slurm { return try runSlurm() }
        try runSweep()
    }

    var cores: Int { ProcessInfo.processInfo.activeProcessorCount }

    /// Worker mode: compute the planned runs the parent sends on stdin (the spec is not read again); errors go
    /// to the parent as a "fatal" line.
    private func runWorker() throws {
        BLAS.setThreads(1)
        let environment = RunEnvironment(
            resultsRoot: experiment.results,
            code: CodeVersion.detect(toolVersion: GFE.version, checkDirty: true),
            evaluationThreads: threads ?? 1)
        let code = WorkerLoop.serve(environment: environment)
        if code != 0 { throw ExitCode(code) }
    }

    private func runDry() throws {
        let session = try experiment.open()
        let runs = try index.map { [try session.plan.run(at: $0)] } ?? session.plan.runs
        say("\(session.plan.name): dry run, nothing is written (results root \(experiment.results))")
        var compute = 0
        for r in runs {
            let state = session.store.state(of: r.id)
            let action: String
            switch state {
            case .finished: action = force ? "would recompute (--force)" : "finished; would skip"
            case .running(let owner): action = "running elsewhere" + (owner.map { " (\($0))" } ?? "") + "; would wait"
            case .failed(let r):
                action =
                    r.diverged && !force ? "diverged before; kept (--force recomputes)" : "failed before; would retry"
            default: action = "would compute"
            }
            if action.hasPrefix("would") || action.hasPrefix("failed") { compute += 1 }
            say("  \(r.index)  \(r.id)  \(r.name)  → \(action)")
        }
        say("\(compute) of \(runs.count) would be computed → \(session.store.folder)/<run id>/")
    }

    private func runIndex(_ index: Int) throws {
        BLAS.setThreads(1)
        let session = try experiment.open(writeCache: true, checkDirty: true, index: index)
        let run = try session.plan.run(at: index)
        if let expectId, expectId != run.id {
            throw GFEError.badInput(
                "plan entry \(index) is run \(run.id) now, not \(expectId) as when the job was submitted: the spec, "
                    + "the overrides, the data or the code changed since; submit again")
        }
        try session.store.prepare()
        warnIfDirty(session)
        if !force { try reportAdopted(session, [run.id]) }
        let underSlurm = Provenance.current().slurm
        let trap = SignalTrap([SIGINT, SIGTERM]) { signal in
            if let job = underSlurm, signal == SIGTERM {
                // Slurm's word for scancel, the time limit and preemption; it lands in the run's log.
                say(
                    "cancelled: SIGTERM from Slurm (scancel, the time limit or preemption) in job \(job.job)_\(job.task ?? "?")"
                        + " on \(job.node ?? Provenance.hostName); run \(index) stopped, nothing was stored")
            } else {
                say("interrupted: run \(index) stopped; nothing was stored")
            }
            _exit(130)
        }
        defer { trap.cancel() }
        let environment = RunEnvironment(
            resultsRoot: experiment.results, code: session.code, locator: session.locator,
            evaluationThreads: threads ?? cores)
        let display = ProgressDisplay(fd: 1, plainInterval: progressEvery)
        let prefix = run.logPrefix
        let outcome = try RunExecutor.execute(run, environment: environment, force: force) {
            event in
            switch event {
            case .started: display.log(prefix + ": started")
            case .phase(_, let phase): display.update([prefix + ": " + phase])
            case .progress(_, let p):
                display.update([
                    prefix + ": iteration \(p.iteration)/\(p.totalIterations)  \(grouped(p.imagesSeen)) images  "
                        + "loss \(String(format: "%.4f", p.loss))  \(String(format: "%.0f", p.imagesPerSecond)) img/s"
                ])
            case .done: display.finish()
            }
        }
        switch outcome.status {
        case .finished:
            say(prefix + ": finished in \(Human.duration(outcome.wallSeconds)) → \(session.store.runFolder(run.id))")
        case .skipped: say(prefix + ": already finished (--force recomputes it) → \(session.store.runFolder(run.id))")
        case .busy:
            say(prefix + ": being computed by another process" + (outcome.reason.map { " (\($0))" } ?? ""))
            throw ExitCode(1)
        default:
            say(prefix + ": FAILED — \(outcome.reason ?? "no reason given")")
            throw ExitCode(1)
        }
    }

    private func runSweep() throws {
        let session = try openForComputing()
        let jobs = self.jobs ?? cores
        let executable =
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let arguments = [
            "run", experiment.spec, "--worker", "--results", experiment.results,
            // Every worker may use every core for its evaluations: training is single-threaded and
            // runs differ in length (a GFE run evaluates far longer than an AE run), so with
            // cores / jobs threads a core would idle once the shorter runs finish.
            "--threads", String(threads ?? cores)
        ]
        var environment = ProcessInfo.processInfo.environment
        // Workers check each run id they are sent against the parent's code version.
        environment["GFE_CODE_VERSION"] = session.code.id
        environment["OPENBLAS_NUM_THREADS"] = "1"
        let options = SweepOptions(
            jobs: jobs, force: force, executable: executable, workerArguments: arguments,
            environment: environment)
        let runEnvironment = RunEnvironment(
            resultsRoot: experiment.results, code: session.code, locator: session.locator)
        let display = ProgressDisplay(fd: 1, plainInterval: progressEvery)
        let scheduler = SweepScheduler(
            plan: session.plan, environment: runEnvironment, options: options, display: display)
        SignalTrap.ignoreBrokenPipes()
        let trap = SignalTrap([SIGINT, SIGTERM]) { _ in scheduler.interrupt() }
        let summary = scheduler.run()
        trap.cancel()
        say(summary.report(plan: session.plan, store: session.store))
        if summary.exitCode != 0 { throw ExitCode(summary.exitCode) }
    }

    /// Opens the plan for computing (caches written, dirty tree recorded), tidies what dead processes left,
    /// and links finished runs of other experiments (unless --force).
    func openForComputing() throws -> ExperimentSession {
        let session = try experiment.open(writeCache: true, checkDirty: true)
        try session.store.prepare()
        session.store.removeStalePartials()
        warnIfDirty(session)
        if !force { try reportAdopted(session, session.plan.runs.map(\.id)) }
        return session
    }

    /// Links finished runs of other experiments with the same ids (RunStore.adoptFinishedRuns) and says so.
    private func reportAdopted(_ session: ExperimentSession, _ ids: [String]) throws {
        for (id, from) in try session.store.adoptFinishedRuns(ids) {
            say(
                "\(id): finished in experiment \(from) (same configuration, outputs, data and code); reused, not recomputed"
            )
        }
    }

    private func warnIfDirty(_ session: ExperimentSession) {
        guard session.code.gitDirty == true, ProcessInfo.processInfo.environment["GFE_CODE_VERSION"] == nil else {
            return
        }
        var err = StandardError()
        print(
            "gfe: warning: the checkout has uncommitted changes; run ids use commit \(session.code.gitCommit?.prefix(12) ?? "?") "
                + "and each run.json records gitDirty: true", to: &err)
    }
}
