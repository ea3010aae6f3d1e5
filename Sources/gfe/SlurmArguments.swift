import ArgumentParser
import Foundation
import GFECore
import GFEExperiments
import GFEStore

/// The job options of `gfe plan --slurm` and `gfe run --executor slurm`, and the job-array script they make.
struct SlurmArguments: ParsableArguments {
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

    func validate() throws {
        if cpus < 1 { throw ValidationError("--cpus must be at least 1, got \(cpus)") }
        if let parallel, parallel < 1 { throw ValidationError("--parallel must be at least 1, got \(parallel)") }
    }

    /// The job-array script computing plan entries `indices` (all when nil), with absolute paths (tasks start
    /// elsewhere); makes the log folder Slurm opens before a task starts (without it every task fails at
    /// launch and leaves no log at all).
    func script(
        _ session: ExperimentSession, experiment: ExperimentArguments, indices: [Int]?, taskArguments: [String] = []
    ) throws -> String {
        let fm = FileManager.default
        func absolute(_ p: String) -> String {
            ((p.hasPrefix("/") ? p : (fm.currentDirectoryPath as NSString).appendingPathComponent(p)) as NSString)
                .standardizingPath
        }
        let executable =
            (try? fm.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? absolute(CommandLine.arguments[0])
        let resultsRoot = absolute(experiment.results)
        try AtomicFile.createFolder(
            SlurmScript.logFolder(resultsRoot: resultsRoot, experiment: session.plan.name),
            what: "the Slurm log folder")
        let script = SlurmScript(
            partition: partition, time: time, cpusPerTask: cpus, memory: mem, parallelTasks: parallel,
            extra: sbatch)
        return script.render(
            plan: session.plan, indices: indices, executable: executable, spec: absolute(experiment.spec),
            resultsRoot: resultsRoot, workingDirectory: fm.currentDirectoryPath,
            overrides: session.plan.experiment.overrides, seeds: experiment.seeds, taskArguments: taskArguments)
    }
}
