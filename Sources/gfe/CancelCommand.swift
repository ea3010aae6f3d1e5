import ArgumentParser
import Foundation
import GFECore
import GFEExperiments

#if canImport(Glibc)
import Glibc
#endif

/// `gfe cancel SPEC`: cancels the Slurm array tasks still computing the plan's runs.
struct CancelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel",
        abstract:
            "Cancel the Slurm array tasks (gfe run --executor slurm) still queued or running for the plan's runs.",
        discussion: """
            Give the same --set overrides, --seeds and --results as to `gfe run`. Waits until Slurm has stopped \
            the tasks, then stores each run that did not finish as failed ("cancelled"), so `gfe status` shows it; \
            the next `gfe run` computes it again. Finished runs are kept.
            """)

    @OptionGroup var experiment: ExperimentArguments

    func run() throws {
        let session = try experiment.open(checkDirty: true)
        let plan = session.plan
        let store = session.store
        let submissions = SlurmSubmissions(store: store)
        let latest = submissions.latestTasks(for: Set(plan.runs.map(\.id)))
        guard !latest.isEmpty else {
            say("\(plan.name): no Slurm job was submitted for these runs (gfe run --executor slurm); nothing to cancel")
            return
        }
        let cluster = SlurmCluster()
        let targets = try SlurmSubmissions.stillActive(plan.runs, latest: latest, cluster: cluster).map {
            (run: plan.runs[$0.index], key: $0.key)
        }
        guard !targets.isEmpty else {
            say("\(plan.name): no task of these runs is queued or running; nothing to cancel")
            return
        }
        let keys = targets.map(\.key)
        try cluster.cancel(keys)
        say(
            "\(plan.name): cancelling \(keys.count) Slurm task\(keys.count == 1 ? "" : "s"): \(keys.joined(separator: " "))"
        )
        // Running tasks get SIGTERM and a grace period (Slurm's KillWait, 30 s by default) before SIGKILL.
        let deadline = Date().addingTimeInterval(120)
        var left = keys
        while !left.isEmpty && Date() < deadline {
            usleep(500_000)
            let now = try cluster.tasks(of: Array(Set(latest.values.map(\.job))))
            left = keys.filter { now[$0]?.isActive == true }
        }
        if !left.isEmpty { say("still ending after 2 minutes: \(left.joined(separator: " ")); gfe status shows them") }
        let environment = RunEnvironment(resultsRoot: experiment.results, code: session.code, locator: session.locator)
        let when = Provenance.timestamp()
        for (run, key) in targets where !left.contains(key) {
            let prefix = run.logPrefix
            switch store.state(of: run.id) {
            case .finished: say(prefix + ": finished before it was cancelled; kept")
            case .running: say(prefix + ": being computed by another process; left alone")
            default:
                try RunExecutor.recordFailure(
                    run, environment: environment,
                    reason:
                        "cancelled with gfe cancel (Slurm task \(key)) at \(when); the next gfe run computes it again",
                    wallSeconds: 0)
                say(prefix + ": cancelled (stored as failed; the next gfe run computes it again)")
            }
        }
    }
}
