import ArgumentParser
import Foundation
import GFECore
import GFEExperiments
import GFEStore

#if canImport(Glibc)
import Glibc
#endif

/// `gfe run SPEC --executor slurm`: the unfinished runs as one job array, followed until every task ends.
extension RunCommand {
    func runSlurm() throws {
        let session = try openForComputing()
        let plan = session.plan
        let store = session.store
        let submissions = SlurmSubmissions(store: store)
        let cluster = SlurmCluster()
        var settled: [Int: RunOutcome] = [:]
        var todo: [PlannedRun] = []
        for r in plan.runs {
            if !force, let o = RunExecutor.settledOutcome(r, store.state(of: r.id)) {
                settled[r.index] = o
            } else {
                todo.append(r)
            }
        }
        // Runs that an earlier submission still has queued or running are followed, not submitted again.
        let followed = try SlurmSubmissions.stillActive(
            todo, latest: force ? [:] : submissions.latestTasks(for: Set(todo.map(\.id))), cluster: cluster)
        let submit = todo.filter { r in !followed.contains { $0.index == r.index } }
        var tracked = followed
        if !followed.isEmpty {
            let jobs = Set(followed.map(\.job)).sorted().joined(separator: ", ")
            say(
                "\(plan.name): \(followed.count) run\(followed.count == 1 ? " is" : "s are") queued or running in job \(jobs) already; following"
            )
        }
        if !submit.isEmpty {
            let text = try job.script(
                session, experiment: experiment, indices: submit.map(\.index), taskArguments: force ? ["--force"] : [])
            let submitted = Provenance.timestamp()
            let stamp = submitted.filter { $0.isNumber }.prefix(17)  // 20261202T094215123 → digits, to the ms
            let path = submissions.folder + "/submit-\(stamp)-\(getpid()).sbatch"
            try AtomicFile.write(text, to: path)
            let jobId: String
            do {
                jobId = try cluster.submit(path)
            } catch {
                try? FileManager.default.removeItem(atPath: path)  // never submitted: not a job's script
                throw error
            }
            try submissions.append(
                .init(
                    job: jobId, submitted: submitted, script: path,
                    runs: Dictionary(uniqueKeysWithValues: submit.map { (String($0.index), $0.id) })))
            say(
                "\(plan.name): submitted Slurm job \(jobId): \(submit.count) of \(plan.runs.count) runs as array tasks "
                    + "\(SlurmScript.ranges(submit.map(\.index))) → logs \(submissions.folder)/<run id>.log")
            tracked += submit.map { .init(index: $0.index, job: jobId, task: String($0.index), submitted: submitted) }
        }
        let next =
            "gfe status \(experiment.commandArguments) shows the runs; gfe cancel \(experiment.commandArguments) stops the job"
        if noWait && !tracked.isEmpty {
            say("not following (--no-wait): \(next); gfe run again follows it")
            return
        }
        let environment = RunEnvironment(resultsRoot: experiment.results, code: session.code, locator: session.locator)
        let follower = SlurmFollower(
            plan: plan, environment: environment, cluster: cluster,
            display: ProgressDisplay(fd: 1, plainInterval: progressEvery))
        let trap = SignalTrap([SIGINT, SIGTERM]) { _ in follower.stop() }
        let summary = follower.follow(tracked, settled: settled)
        trap.cancel()
        if summary.interrupted {
            let jobs = Set(tracked.map(\.job)).sorted().joined(separator: ", ")
            say("stopped following; job \(jobs) goes on on the cluster: \(next); gfe run again follows it")
        } else {
            say(summary.report(plan: plan, store: store))
        }
        if summary.exitCode != 0 { throw ExitCode(summary.exitCode) }
    }
}
