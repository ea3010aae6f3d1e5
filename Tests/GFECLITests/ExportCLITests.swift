import Foundation
import GFEStore
import GFETestSupport
import Testing

/// `gfe export --mlflow` end to end: a finished and a diverged run exported, then read back with the `mlflow`
/// package (PyPI's mlflow-skinny; CI installs it, `make python-deps` too): experiment, runs, status, params,
/// every metric's history against curves.csv and run.json, tags and artifacts. Skipped with a note where
/// python3 has no mlflow.
@Suite(.serialized) struct ExportCLITests {
    typealias CLI = ExperimentCLI

    static let hasMLflow = runTool("python3", ["-c", "import mlflow"])?.status == 0

    static let spec = """
        {
          "name": "e2e-export",
          "description": "one-step GFE: the default learning rate, and one that overflows the decoder",
          "base": {"batchSize": 8, "budget": {"iterations": 4}, "data": {"trainLimit": 32, "testLimit": 8},
                   "encoder": {"method": "oneStep"}, "checkpoints": {"imagesSeen": [16, 32]}},
          "sweep": {"axes": {"optimiser.lr": [0.0005, 1e30]}, "labels": {"optimiser.lr": ["usual lr", "huge lr"]}},
          "seeds": [1]
        }
        """

    /// Reads the store back with MlflowClient and prints what the test compares, as JSON.
    static let reader = """
        import json, os, sys
        os.environ["MLFLOW_ALLOW_FILE_STORE"] = "true"
        from mlflow.tracking import MlflowClient
        client = MlflowClient("file://" + os.path.abspath(sys.argv[1]))
        out = {}
        for e in client.search_experiments():
            if e.name != "e2e-export":
                continue
            out["experiment"] = e.experiment_id
            out["note"] = e.tags.get("mlflow.note.content")
            for r in client.search_runs([e.experiment_id]):
                out[r.info.run_id] = {
                    "name": r.info.run_name, "status": r.info.status, "params": r.data.params, "tags": r.data.tags,
                    "train_loss": [[m.step, m.value] for m in client.get_metric_history(r.info.run_id, "train_loss")],
                    "test_loss_gfe": [[m.step, m.value] for m in client.get_metric_history(r.info.run_id, "test_loss_gfe")],
                    "artifacts": sorted(a.path for a in client.list_artifacts(r.info.run_id)),
                }
        print(json.dumps(out))
        """

    @Test func exportedRunsReadBackWithMLflow() throws {
        let spec = try CLI.spec("export", Self.spec)
        let ids = try CLI.runIds(spec)
        let root = ["--results", CLI.results]
        let store = CLI.workspace + "/mlruns"
        try? FileManager.default.removeItem(atPath: store)
        let run = try CLI.gfe(["run", spec] + root)
        #expect(run.status == 1, "\(run.out)\n\(run.err)")  // the overflowing run diverges
        // Progress lines and the summary name runs by the spec's labels too, not by raw swept values.
        #expect(run.out.contains("[0] \(ids[0]) usual lr: started"), "\(run.out)")
        #expect(run.out.contains("\(ids[1])  failed") && run.out.contains("huge lr"), "\(run.out)")
        #expect(!run.out.contains("optimiser.lr="), "\(run.out)")
        let export = try CLI.gfe(["export", spec, "--mlflow", store] + root)
        #expect(
            export.status == 0 && export.out.contains("exported 2 runs of e2e-export"), "\(export.out)\(export.err)")
        // Exporting again replaces the runs and keeps the store readable.
        #expect(try CLI.gfe(["export", spec, "--mlflow", store] + root).status == 0)

        guard Self.hasMLflow else {
            print("ExportCLITests: python3 has no mlflow; read-back skipped (make python-deps)")
            return
        }
        let read = try #require(runTool("python3", ["-c", Self.reader, store]))
        #expect(read.status == 0, "\(read.output)")
        let json = try #require(
            try JSONSerialization.jsonObject(with: Data((read.output.split(separator: "\n").last ?? "").utf8))
                as? [String: Any], "\(read.output)")
        #expect((json["note"] as? String)?.hasPrefix("one-step GFE") == true)
        for (k, id) in ids.enumerated() {
            let r = try #require(json[id] as? [String: Any], "run \(id) missing: \(json.keys)")
            let record = try #require(CLI.record("e2e-export", id))
            // Named as in figures and gfe runs: by the spec's sweep labels.
            #expect(r["name"] as? String == ["usual lr", "huge lr"][k], "\(record["label"] ?? "")")
            #expect(r["status"] as? String == (k == 0 ? "FINISHED" : "FAILED"))
            let params = try #require(r["params"] as? [String: String])
            #expect(params["encoder.method"] == "oneStep" && params["batchSize"] == "8" && params["seed"] == "1")
            #expect(params["checkpoints.imagesSeen"] == "[16,32]")
            let tags = try #require(r["tags"] as? [String: String])
            #expect(tags["gfe.run_id"] == id && tags["swept.optimiser.lr"] != nil)
            #expect(tags["gfe.code_version"] == (record["code"] as? [String: Any])?["id"] as? String)
            #expect((tags["gfe.failure"] != nil) == (k == 1))
            #expect(r["artifacts"] as? [String] == ["curves.csv", "run.h5", "run.json"])
            // Every train_loss row of curves.csv, at its iteration.
            let curves = try CSV.read("\(CLI.results)/e2e-export/\(id)/curves.csv")
            let expected = zip(
                try curves.column("metric"), zip(try curves.column("iteration"), try curves.column("value"))
            )
            .filter { $0.0 == "train_loss" }.map { (Int($0.1.0)!, Double($0.1.1)!) }
            let history = try #require(r["train_loss"] as? [[Double]])
            #expect(history.count == expected.count && !expected.isEmpty)
            for (got, want) in zip(history, expected) {
                #expect(Int(got[0]) == want.0 && abs(got[1] - want.1) <= 1e-15 * abs(want.1))
            }
            if k == 0 {
                let checkpoints = try #require(
                    (record["results"] as? [String: Any])?["checkpoints"] as? [[String: Any]])
                let losses = try #require(r["test_loss_gfe"] as? [[Double]])
                #expect(losses.map { Int($0[0]) } == checkpoints.map { $0["iteration"] as? Int ?? -1 })
                for (got, c) in zip(losses, checkpoints) {
                    let want = try #require((c["metrics"] as? [String: Any])?["test_loss_gfe"] as? Double)
                    #expect(abs(got[1] - want) <= 1e-15 * want)
                }
            }
        }
    }

    @Test func aFolderOfAnotherExperimentIsRefused() throws {
        let spec = try CLI.spec("export", Self.spec)
        let store = CLI.workspace + "/mlruns-other"
        try? FileManager.default.removeItem(atPath: store)
        let first = try CLI.gfe(["export", spec, "--mlflow", store, "--results", CLI.results])
        #expect(first.status == 0, "\(first.err)")
        let folder = try #require(
            try FileManager.default.contentsOfDirectory(atPath: store).first { $0.allSatisfy(\.isNumber) })
        let meta = store + "/" + folder + "/meta.yaml"
        let text = try String(contentsOfFile: meta, encoding: .utf8)
        try text.replacingOccurrences(of: "name: 'e2e-export'", with: "name: 'someone-else'")
            .write(toFile: meta, atomically: true, encoding: .utf8)
        let refused = try CLI.gfe(["export", spec, "--mlflow", store, "--results", CLI.results])
        #expect(refused.status == 2 && refused.err.contains("belongs to another experiment"), "\(refused.err)")
        let missing = try CLI.gfe(["export", spec, "--results", CLI.results])
        #expect(missing.status == 2 && missing.err.contains("--mlflow"), "\(missing.err)")
    }
}
