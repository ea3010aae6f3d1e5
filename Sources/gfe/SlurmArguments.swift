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

    /// Every value goes into the job script as an #SBATCH line: one that is not of Slurm's form, or holds a
    /// line break (which would add a shell command to the script), is refused here instead of by sbatch, or
    /// worse, not at all.
    func validate() throws {
        if !(1...100_000).contains(cpus) { throw ValidationError("--cpus must be from 1 to 100,000, got \(cpus)") }
        if let parallel, !(1...1_000_000).contains(parallel) {
            throw ValidationError("--parallel must be from 1 to 1,000,000, got \(parallel)")
        }
        func matches(_ value: String, _ pattern: String) -> Bool {
            value.range(of: pattern, options: .regularExpression) != nil
        }
        if let partition, !matches(partition, #"^[A-Za-z0-9_.,-]+$"#) {
            throw ValidationError("--partition '\(partition)' is not a partition name (letters, digits, _ . , -)")
        }
        if let time, !matches(time, #"^((\d+-)?\d+(:\d+){0,2}|UNLIMITED|INFINITE)$"#) {
            throw ValidationError(
                "--time '\(time)' is not a Slurm time: minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS")
        }
        if let mem, !matches(mem, #"^\d+[KMGTkmgt]?$"#) {
            throw ValidationError("--mem '\(mem)' is not a Slurm memory size: a number with an optional K, M, G or T")
        }
        for option in sbatch where !matches(option, #"^-[^\x00-\x1f\x7f]*$"#) {
            throw ValidationError(
                "--sbatch '\(option)' must be one sbatch option on one line, starting with '-' (e.g. --sbatch=--account=abc)"
            )
        }
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
