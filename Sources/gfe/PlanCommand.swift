import ArgumentParser
import Foundation
import GFECore
import GFEExperiments
import GFEStore
import GFETraining

/// `gfe plan SPEC [--slurm]`: the run plan, or a Slurm job-array script that computes it.
struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Print the run plan, or with --slurm a ready sbatch job-array script (one run per array task).",
        discussion: """
            Array task i runs `gfe run SPEC --index i --expect-id ID`: finished runs are skipped and running ones are \
            locked, so resubmitting is safe; each task's output is appended to <results>/<name>/slurm/<run id>.log. \
            Try a task locally with `SLURM_ARRAY_TASK_ID=0 bash script.sh --dry-run`. Paths in the script are \
            absolute; generate it on the cluster, in the checkout the jobs will use. `gfe run SPEC --executor slurm` \
            submits the same script and follows it (docs/cluster.md).
            """)

    @OptionGroup var experiment: ExperimentArguments

    @Flag(help: "Print an sbatch job-array script instead of the plan.")
    var slurm = false

    @Flag(help: "Only the runs not finished yet (the default submits every entry; finished ones are skipped anyway).")
    var unfinished = false

    @OptionGroup var job: SlurmArguments

    func run() throws {
        let session = try experiment.open()
        let plan = session.plan
        let indices = unfinished ? plan.runs.filter { !session.store.state(of: $0.id).isFinished }.map(\.index) : nil
        guard slurm else {
            let shown = indices.map { Set($0) }
            say(
                "\(plan.name): \(plan.runs.count) run\(plan.runs.count == 1 ? "" : "s") (code \(session.code.id)) → \(session.store.folder)/<run id>/"
            )
            for line in plan.listing.split(separator: "\n").enumerated() where shown?.contains(line.offset) ?? true {
                say(String(line.element))
            }
            return
        }
        if let indices, indices.isEmpty {
            throw GFEError.badInput("every run of \(plan.name) has finished; nothing to submit")
        }
        let text = try job.script(session, experiment: experiment, indices: indices)
        say(String(text.dropLast()))  // `say` adds the final newline
    }
}
