import ArgumentParser
import GFECore
import GFEExperiments
import GFETraining

/// `gfe status SPEC`: the state of every planned run.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract:
            "List every planned run with its state (finished, failed with the reason, running, queued or ended on Slurm, not started) and folder.",
        discussion: """
            Give the same --set overrides and --results as to `gfe run`: they change the plan. Exit status 1 when             a planned run has failed (so scripts can tell), 0 otherwise.
            """)

    @OptionGroup var experiment: ExperimentArguments

    func run() throws {
        let session = try experiment.open()
        // Runs submitted to Slurm (gfe run --executor slurm): ask squeue what became of their tasks.
        let submissions = SlurmSubmissions(store: session.store)
        let unfinished = session.plan.runs.filter { !session.store.state(of: $0.id).isFinished }.map(\.id)
        let jobs = Set(submissions.latestTasks(for: Set(unfinished)).values.map(\.job))
        var cluster: (SlurmSubmissions, [String: SlurmCluster.Task])?
        var remark: String?
        if !jobs.isEmpty {
            do {
                cluster = (submissions, try SlurmCluster().tasks(of: Array(jobs)))
            } catch {
                remark =
                    "Slurm could not be asked about the jobs (\((error as? ReportableError)?.message ?? "\(error)"))"
            }
        }
        var report = StatusReport(plan: session.plan, store: session.store, cluster: cluster)
        report.remark = remark
        say(report.text)
        if report.failedCount > 0 { throw ExitCode(1) }
    }
}
