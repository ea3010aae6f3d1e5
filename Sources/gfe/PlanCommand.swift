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
            Array task i runs `gfe run SPEC --index i`: finished runs are skipped and running ones are locked, so \
            resubmitting is safe. Try a task locally with `SLURM_ARRAY_TASK_ID=0 bash script.sh --dry-run`. \
            Paths in the script are absolute; generate it on the cluster, in the checkout the jobs will use.
            """)

    @OptionGroup var experiment: ExperimentArguments

    @Flag(help: "Print an sbatch job-array script instead of the plan.")
    var slurm = false

    @Flag(help: "Only the runs not finished yet (the default submits every entry; finished ones are skipped anyway).")
    var unfinished = false

    @Option(help: "Slurm partition.")
    var partition: String?

    @Option(help: "Slurm time limit per run, e.g. 04:00:00.")
    var time: String?

    @Option(help: "CPUs per array task (its evaluation threads).")
    var cpus: Int = 1

    @Option(help: "Slurm memory per task, e.g. 4G.")
    var mem: String?

    @Option(help: "At most this many array tasks at once (--array=…%N).")
    var parallel: Int?

    @Option(
        help: ArgumentHelp("An extra #SBATCH option (repeatable), e.g. --sbatch=--account=abc.", valueName: "option"))
    var sbatch: [String] = []

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
        let fm = FileManager.default
        func absolute(_ p: String) -> String {
            p.hasPrefix("/") ? p : (fm.currentDirectoryPath as NSString).appendingPathComponent(p)
        }
        let executable =
            (try? fm.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? absolute(CommandLine.arguments[0])
        let script = SlurmScript(
            partition: partition, time: time, cpusPerTask: cpus, memory: mem, parallelTasks: parallel,
            extra: sbatch)
        let resultsRoot = (absolute(experiment.results) as NSString).standardizingPath
        // Slurm opens each task's log before the task runs: without the folder every task fails at launch and
        // leaves no log at all.
        try AtomicFile.createFolder(
            SlurmScript.logFolder(resultsRoot: resultsRoot, experiment: plan.name), what: "the Slurm log folder")
        let text = script.render(
            plan: plan, indices: indices, executable: executable,
            spec: (absolute(experiment.spec) as NSString).standardizingPath,
            resultsRoot: resultsRoot,
            workingDirectory: fm.currentDirectoryPath, overrides: plan.experiment.overrides,
            seeds: experiment.seeds)
        say(String(text.dropLast()))  // `say` adds the final newline
    }
}
