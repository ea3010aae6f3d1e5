import Foundation
import GFECore
import GFEProcess
import GFETestSupport
import Testing

/// `gfe run --executor slurm`, `gfe status` and `gfe cancel` end to end through a real Slurm: the throwaway
/// single-node cluster of scripts/slurm-local.sh (needs root; `.ci/run` starts it). Where Slurm cannot be
/// started the tests fail with the reason. A developer without root may skip them with
/// GFE_SKIP_SLURM_TESTS=1, which CI never sets.
@Suite(
    .serialized,
    .enabled(
        if: ProcessInfo.processInfo.environment["GFE_SKIP_SLURM_TESTS"] != "1",
        "GFE_SKIP_SLURM_TESTS=1: the Slurm end-to-end tests are skipped"))
struct SlurmCLITests {
    typealias CLI = ExperimentCLI

    /// Starts the local Slurm (idempotent) or fails the test with what the script said.
    static func startSlurm() throws {
        let script = CLI.repositoryRoot + "/scripts/slurm-local.sh"
        let r = try ChildProcess.run("/bin/bash", arguments: [script, "start"])
        guard r.status == 0 else {
            throw GFEError.runFailure(
                "Slurm could not be started (scripts/slurm-local.sh start exited \(r.status)): "
                    + r.errors + r.output + " — run the tests as root, or set GFE_SKIP_SLURM_TESTS=1 to skip them")
        }
    }

    /// A results root of its own for each test.
    static func results(_ name: String) -> String { CLI.workspace + "/slurm-\(name)" }

    /// The (job, task) of the run id's latest submission, from the experiment's submissions.jsonl.
    static func task(of id: String, experiment: String, results: String) -> String? {
        let path = "\(results)/\(experiment)/slurm/submissions.jsonl"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        var found: String?
        for line in text.split(separator: "\n") {
            guard let s = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let job = s["job"] as? String, let runs = s["runs"] as? [String: String]
            else { continue }
            for (task, run) in runs where run == id { found = "\(job)_\(task)" }
        }
        return found
    }

    /// Waits until attempt `attempt` (1, 2, …) of run `id` has started, as its Slurm log says.
    static func waitForStart(_ id: String, attempt: Int, experiment: String, results: String) -> Bool {
        let log = "\(results)/\(experiment)/slurm/\(id).log"
        return CLI.waitUntil(300) {
            let attempts = ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").components(
                separatedBy: "== gfe: run \(id)")
            return attempts.count == attempt + 1 && attempts[attempt].contains(": loading data")
        }
    }

    @Test func smokeThroughSlurmGivesTheLocalTable() throws {
        try Self.startSlurm()
        let local = Self.results("smoke-local")
        let cluster = Self.results("smoke-slurm")
        let spec = "experiments/smoke.json"
        // Both at once: the local sweep in worker processes here, the Slurm one as a job array.
        let localRun = try CLI.Running(["run", spec, "--jobs", "1", "--results", local])
        let slurmRun = try CLI.gfe(["run", spec, "--executor", "slurm", "--results", cluster])
        #expect(slurmRun.status == 0, "\(slurmRun.out)\n\(slurmRun.err)")
        #expect(slurmRun.out.contains("submitted Slurm job"), "\(slurmRun.out)")
        #expect(slurmRun.out.contains("smoke: 2 runs: 2 finished"), "\(slurmRun.out)")
        let localDone = localRun.wait()
        #expect(localDone.status == 0, "\(localDone.out)\n\(localDone.err)")
        for root in [local, cluster] {
            let table = try CLI.gfe(["table", spec, "--results", root])
            #expect(table.status == 0, "\(table.out)\n\(table.err)")
        }
        let a = try #require(FileManager.default.contents(atPath: "\(local)/smoke/table.csv"))
        let b = try #require(FileManager.default.contents(atPath: "\(cluster)/smoke/table.csv"))
        #expect(a == b, "the table from Slurm differs from the local one")

        let ids = try CLI.runIds(spec)
        for id in ids {
            // The numbers of every run, not only the table's cells.
            let curves = { (root: String) in FileManager.default.contents(atPath: "\(root)/smoke/\(id)/curves.csv") }
            let localCurves = try #require(curves(local))
            let slurmCurves = try #require(curves(cluster))
            #expect(Self.withoutWallClock(localCurves) == Self.withoutWallClock(slurmCurves), "curves of \(id) differ")
            // run.json records the job, the array task and the node; the run has its own log.
            let data = try #require(FileManager.default.contents(atPath: "\(cluster)/smoke/\(id)/run.json"))
            let record = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            let slurm = (record["provenance"] as? [String: Any])?["slurm"] as? [String: String]
            let task = try #require(Self.task(of: id, experiment: "smoke", results: cluster))
            #expect(slurm?["jobId"].map { "\($0)_\(slurm?["arrayTaskId"] ?? "")" } == task, "\(record)")
            #expect(slurm?["node"]?.isEmpty == false, "\(record)")
            let log = try String(contentsOfFile: "\(cluster)/smoke/slurm/\(id).log", encoding: .utf8)
            #expect(log.contains("== gfe: run \(id)") && log.contains(": finished in"), "\(log)")
        }
        // Everything finished: a second call submits nothing.
        let again = try CLI.gfe(["run", spec, "--executor", "slurm", "--results", cluster])
        #expect(
            again.status == 0 && !again.out.contains("submitted") && again.out.contains("2 already finished"),
            "\(again.out)")
        let status = try CLI.gfe(["status", spec, "--results", cluster])
        #expect(status.status == 0 && status.out.contains("2 finished"), "\(status.out)")
    }

    /// curves.csv without wall-clock values (its wall_s column, and metrics measured in seconds): the only
    /// values that may differ between two computations of a run.
    static func withoutWallClock(_ data: Data) -> [[Substring]] {
        let rows = String(decoding: data, as: UTF8.self).split(separator: "\n").map {
            $0.split(separator: ",", omittingEmptySubsequences: false)
        }
        guard let header = rows.first, let metric = header.firstIndex(of: "metric") else { return [] }
        let keep = header.indices.filter { header[$0] != "wall_s" }
        return rows.filter { $0.count > metric && !$0[metric].contains("seconds") }.map { row in keep.map { row[$0] } }
    }

    @Test func cancelledTasksAreReportedAndRecoveredByRunningAgain() throws {
        try Self.startSlurm()
        let results = Self.results("cancel")
        let spec = try CLI.spec(
            "slurm-cancel",
            """
            {"name": "e2e-slurm-cancel", "outputs": {"models": "none"},
             "base": {"method": "gfe", "batchSize": 16, "budget": {"iterations": 3},
                      "data": {"trainLimit": 48, "testLimit": 16}, "checkpoints": {"atEnd": true, "evaluations": ["gfe"]}},
             "seeds": [5]}
            """)
        let id = try #require(try CLI.runIds(spec).first)
        // 1. scancel while the run computes, with gfe following: reported as failed, with Slurm's word.
        let following = try CLI.Running(["run", spec, "--executor", "slurm", "--results", results])
        #expect(Self.waitForStart(id, attempt: 1, experiment: "e2e-slurm-cancel", results: results), "never started")
        let task = try #require(Self.task(of: id, experiment: "e2e-slurm-cancel", results: results))
        let scancel = try ChildProcess.run("scancel", arguments: [task])
        #expect(scancel.status == 0, "\(scancel.errors)")
        let followed = following.wait()
        #expect(followed.status == 1, "\(followed.out)\n\(followed.err)")
        #expect(
            followed.out.contains("1 failed") && followed.out.contains("ended without storing a result"),
            "\(followed.out)")
        #expect(followed.out.contains("SIGTERM from Slurm"), "the reason quotes the run's log: \(followed.out)")
        let status = try CLI.gfe(["status", spec, "--results", results])
        #expect(status.status == 1, "a run cancelled on the cluster makes status exit 1: \(status.out)")
        #expect(
            status.out.contains("failed · job \(task)") && status.out.contains("SIGTERM from Slurm"), "\(status.out)")

        // 2. Submitted without waiting, then gfe cancel: stored as cancelled.
        let submitted = try CLI.gfe(["run", spec, "--executor", "slurm", "--no-wait", "--results", results])
        #expect(submitted.status == 0 && submitted.out.contains("not following (--no-wait)"), "\(submitted.out)")
        #expect(Self.waitForStart(id, attempt: 2, experiment: "e2e-slurm-cancel", results: results), "never started")
        let second = try #require(Self.task(of: id, experiment: "e2e-slurm-cancel", results: results))
        #expect(second != task)
        let queued = try CLI.gfe(["status", spec, "--results", results])
        #expect(queued.out.contains("running (") && queued.out.contains("job \(second)"), "\(queued.out)")
        let cancel = try CLI.gfe(["cancel", spec, "--results", results])
        #expect(
            cancel.status == 0 && cancel.out.contains("cancelling 1 Slurm task: \(second)"),
            "\(cancel.out)\n\(cancel.err)")
        #expect(cancel.out.contains(": cancelled (stored as failed"), "\(cancel.out)")
        let after = try CLI.gfe(["status", spec, "--results", results])
        #expect(
            after.status == 1 && after.out.contains("cancelled with gfe cancel (Slurm task \(second))"), "\(after.out)")
        let nothing = try CLI.gfe(["cancel", spec, "--results", results])
        #expect(nothing.status == 0 && nothing.out.contains("nothing to cancel"), "\(nothing.out)")

        // 3. Running again computes it.
        let recovered = try CLI.gfe(["run", spec, "--executor", "slurm", "--results", results])
        #expect(recovered.status == 0 && recovered.out.contains("1 finished"), "\(recovered.out)\n\(recovered.err)")
        let log = try String(contentsOfFile: "\(results)/e2e-slurm-cancel/slurm/\(id).log", encoding: .utf8)
        // One log per run id, appended by each of the three attempts.
        #expect(log.components(separatedBy: "== gfe: run \(id)").count == 4, "\(log)")
    }

    @Test func divergingRunIsReportedAsFailedAndQueuedRunsAreFollowedNotResubmitted() throws {
        try Self.startSlurm()
        let results = Self.results("diverging")
        let spec = try CLI.spec(
            "slurm-diverging",
            """
            {"name": "e2e-slurm-diverging", "outputs": {"models": "none"},
             "base": {"method": "ae", "batchSize": 16, "budget": {"iterations": 3},
                      "data": {"trainLimit": 48, "testLimit": 20}, "checkpoints": {"atEnd": true, "evaluations": ["ae"]}},
             "sweep": {"axes": {"optimiser.lr": [0.0005, 1e30]}}}
            """)
        // Held, so that it is still queued when gfe is asked to follow it.
        let submitted = try CLI.gfe([
            "run", spec, "--executor", "slurm", "--no-wait", "--sbatch=--hold", "--results", results
        ])
        #expect(
            submitted.status == 0 && submitted.out.contains("submitted Slurm job"), "\(submitted.out)\n\(submitted.err)"
        )
        let ids = try CLI.runIds(spec)
        let task = try #require(Self.task(of: ids[0], experiment: "e2e-slurm-diverging", results: results))
        let pending = try CLI.gfe(["status", spec, "--results", results])
        #expect(pending.status == 0 && pending.out.contains("2 queued on the cluster"), "\(pending.out)")
        #expect(pending.out.contains("pending (JobHeldUser) · job \(task)"), "\(pending.out)")
        // Following the queued job instead of submitting another; released once gfe follows it.
        let following = try CLI.Running(["run", spec, "--executor", "slurm", "--results", results])
        sleep(3)
        let job = String(task.prefix { $0 != "_" })
        let release = try ChildProcess.run("scontrol", arguments: ["release", job])
        #expect(release.status == 0, "\(release.errors)")
        let followed = following.wait()
        #expect(followed.status == 1, "\(followed.out)\n\(followed.err)")
        #expect(!followed.out.contains("submitted Slurm job") && followed.out.contains("following"), "\(followed.out)")
        #expect(followed.out.contains("1 finished, 1 failed") && followed.out.contains("not finite"), "\(followed.out)")
        let status = try CLI.gfe(["status", spec, "--results", results])
        #expect(status.status == 1 && status.out.contains("not finite"), "\(status.out)")
        let lines = try String(
            contentsOfFile: "\(results)/e2e-slurm-diverging/slurm/submissions.jsonl", encoding: .utf8)
        #expect(lines.split(separator: "\n").count == 1, "one submission only: \(lines)")
    }

    /// A request no node can meet (more CPUs per task than the node has) leaves the task pending forever:
    /// gfe stops following with exit 2 and says why instead of waiting.
    @Test func aJobSlurmWillNeverStartIsReportedNotAwaited() throws {
        try Self.startSlurm()
        let results = Self.results("impossible")
        let spec = try CLI.spec(
            "slurm-impossible",
            #"{"name": "e2e-slurm-impossible", "outputs": {"models": "none"}, "base": {"method": "ae", "budget": {"iterations": 1}, "data": {"trainLimit": 16, "testLimit": 4}}}"#
        )
        let run = try CLI.gfe(["run", spec, "--executor", "slurm", "--cpus", "4096", "--results", results])
        #expect(run.status == 2, "\(run.out)\n\(run.err)")
        #expect(run.out.contains("Slurm will not start job") && run.out.contains("check --cpus"), "\(run.out)")
        let cancel = try CLI.gfe(["cancel", spec, "--results", results])
        #expect(cancel.status == 0 && cancel.out.contains("cancelling 1 Slurm task"), "\(cancel.out)\n\(cancel.err)")
    }
}
