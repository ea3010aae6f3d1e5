/// A Slurm job-array script for a plan (`gfe plan SPEC --slurm`, `gfe run SPEC --executor slurm`): array task
/// i runs plan entry i with `gfe run SPEC --index i --expect-id ID`, which skips a finished run and locks the
/// run it computes, so resubmitting the script (or running tasks twice) is safe.
public struct SlurmScript: Sendable {
    public var partition: String?
    /// Slurm's `--time`, e.g. "04:00:00".
    public var time: String?
    /// CPUs per task: the BLAS and evaluation threads of each run.
    public var cpusPerTask: Int = 1
    /// Slurm's `--mem`, e.g. "4G".
    public var memory: String?
    /// How many array tasks may run at once (`--array=…%N`).
    public var parallelTasks: Int?
    /// Extra `#SBATCH` options, e.g. "--account=abc".
    public var extra: [String] = []

    public init(
        partition: String? = nil, time: String? = nil, cpusPerTask: Int = 1, memory: String? = nil,
        parallelTasks: Int? = nil, extra: [String] = []
    ) {
        self.partition = partition
        self.time = time
        self.cpusPerTask = max(1, cpusPerTask)
        self.memory = memory
        self.parallelTasks = parallelTasks
        self.extra = extra
    }

    /// Where the array's logs go (see `SlurmSubmissions`): Slurm opens its output file before a task starts,
    /// so the folder must exist when the job is submitted (`gfe plan --slurm` and `gfe run --executor slurm`
    /// make it).
    public static func logFolder(resultsRoot: String, experiment: String) -> String {
        "\(resultsRoot)/\(experiment)/slurm"
    }

    /// The script. Paths should be absolute (jobs start in another directory). `indices`: the plan entries to
    /// submit (e.g. only the unfinished ones); all when nil. `taskArguments` go to every task's `gfe run`.
    public func render(
        plan: ExperimentPlan, indices: [Int]? = nil, executable: String, spec: String, resultsRoot: String,
        workingDirectory: String, overrides: [ConfigOverride], seeds: String? = nil, taskArguments: [String] = []
    ) -> String {
        let chosen = indices ?? plan.runs.map(\.index)
        let logFolder = Self.logFolder(resultsRoot: resultsRoot, experiment: plan.name)
        // The arguments that select the plan (every task and `gfe status` must see the same runs).
        let planArguments =
            overrides.flatMap { ["--set", shellQuote($0.argument)] } + (seeds.map { ["--seeds", shellQuote($0)] } ?? [])
        let sets = planArguments.map { " " + $0 }.joined()
        var lines = [
            "#!/bin/bash",
            "# gfe: the sweep '\(plan.name)' as a Slurm job array, one run per task (\(chosen.count) of \(plan.runs.count) runs).",
            "# Array task i computes plan entry i (`gfe resolve` lists them) and refuses to run if the plan gives it",
            "# another run id than below (the spec, the data or the code changed: plan again). A finished run is",
            "# skipped and a running one is locked, so resubmitting this script is safe.",
            "#",
            "# Submit:   sbatch THIS_SCRIPT   (the log folder \(logFolder) must exist; gfe made it)",
            "# Follow:   gfe status \(spec) --results \(resultsRoot)\(sets)",
            "# Logs:     \(logFolder)/<run id>.log, appended by every attempt",
            "# Try one task here without Slurm:   SLURM_ARRAY_TASK_ID=\(chosen.first ?? 0) bash THIS_SCRIPT --dry-run",
            "#SBATCH --job-name=gfe-\(plan.name)",
            "#SBATCH --array=\(Self.ranges(chosen))" + (parallelTasks.map { "%\($0)" } ?? ""),
            "#SBATCH --cpus-per-task=\(cpusPerTask)",
            "#SBATCH --ntasks=1",
            // Each task's output goes to its run's log (below); Slurm's own notices land here, appended, so
            // that restarted job ids cannot overwrite anything.
            "#SBATCH --output=\(logFolder)/launch.out",
            "#SBATCH --open-mode=append"
        ]
        if let partition { lines.append("#SBATCH --partition=\(partition)") }
        if let time { lines.append("#SBATCH --time=\(time)") }
        if let memory { lines.append("#SBATCH --mem=\(memory)") }
        for e in extra { lines.append("#SBATCH \(e)") }
        let ids = chosen.map { "[\($0)]=\(plan.runs[$0].id)" }.joined(separator: " ")
        lines += [
            "set -euo pipefail",
            "index=\"${SLURM_ARRAY_TASK_ID:?submit this script with sbatch, or set SLURM_ARRAY_TASK_ID}\"",
            "run_ids=(\(ids))",
            "run_id=\"${run_ids[$index]:-}\"",
            "[[ -n $run_id ]] || { echo \"gfe: array task $index is not a run of this script\" >&2; exit 2; }",
            "if [[ -n ${SLURM_JOB_ID:-} ]]; then",
            "  exec >>\(shellQuote(logFolder))/\"$run_id.log\" 2>&1",
            "  echo \"== gfe: run $run_id (plan entry $index), Slurm job ${SLURM_ARRAY_JOB_ID:-$SLURM_JOB_ID}_$index on ${SLURMD_NODENAME:-$(hostname)}, $(date -u +%FT%TZ)\"",
            "fi",
            "cd \(shellQuote(workingDirectory))",
            "export OPENBLAS_NUM_THREADS=1"
        ]
        var command = [
            executable, "run", spec, "--index", "\"$index\"", "--expect-id", "\"$run_id\"", "--results", resultsRoot,
            "--threads", String(cpusPerTask), "--progress-every", "10"
        ].map { $0.hasPrefix("\"$") ? $0 : shellQuote($0) }
        command += planArguments + taskArguments.map(shellQuote)
        lines.append("exec " + command.joined(separator: " ") + " \"$@\"")
        return lines.joined(separator: "\n") + "\n"
    }

    /// "0-3,5,7-9" for [0, 1, 2, 3, 5, 7, 8, 9].
    public static func ranges(_ indices: [Int]) -> String {
        let sorted = Array(Set(indices)).sorted()
        var parts: [String] = []
        var i = 0
        while i < sorted.count {
            var j = i
            while j + 1 < sorted.count && sorted[j + 1] == sorted[j] + 1 { j += 1 }
            parts.append(i == j ? "\(sorted[i])" : "\(sorted[i])-\(sorted[j])")
            i = j + 1
        }
        return parts.joined(separator: ",")
    }
}

/// `s` quoted for a POSIX shell when it needs it.
public func shellQuote(_ s: String) -> String {
    let safe =
        !s.isEmpty
        && s.unicodeScalars.allSatisfy { c in
            (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9")
                || "/._-=:,+@%".unicodeScalars.contains(c)
        }
    return safe ? s : "'" + s.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''") + "'"
}
