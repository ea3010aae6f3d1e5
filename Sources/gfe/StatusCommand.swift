import ArgumentParser
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

    @Flag(help: "Print the counts and every run (index, id, state, note, swept values, folder) as JSON.")
    var json = false

    func run() throws {
        let session = try experiment.open()
        var report = StatusReport(plan: session.plan, store: session.store)
        report.askSlurm()
        say(json ? report.json.prettyText() : report.text)
        if report.failedCount > 0 { throw ExitCode(1) }
    }
}
