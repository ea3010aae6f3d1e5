import Foundation
import GFECore
import GFEExperiments
import GFEStore
import GFETestSupport
import GFETraining
import Testing

/// `gfe resolve / run / status / table / diff / plan` end to end through the built binary, on tiny specs
/// (a few dozen MNIST images, a few iterations). Serialized: the tests share one results root and the two
/// cores of the machine.
@Suite(.serialized) struct ExperimentCLITests {
    typealias CLI = ExperimentCLI

    /// The docs' example shape: two encoders over two seeds, with a pivot table.
    static let encodersSpec = """
        {
          "name": "e2e-encoders",
          "description": "one-step vs fixed-grid encoder, two seeds",
          "base": {"batchSize": 16, "budget": {"iterations": 4}, "data": {"trainLimit": 64, "testLimit": 32},
                   "checkpoints": {"imagesSeen": [32, 64]}},
          "sweep": {"axes": {"encoder": [{"method": "oneStep"}, {"method": "fixedGrid", "points": 3, "tau": 100}]}},
          "seeds": [1, 2],
          "table": {"columns": [
            {"name": "one_step", "where": {"encoder": {"method": "oneStep"}}, "metric": "test_loss_gfe"},
            {"name": "fixed_grid", "where": {"encoder": {"method": "fixedGrid", "points": 3, "tau": 100}},
             "metric": "test_loss_gfe"}]}
        }
        """

    @Test func sweepRunsSkipsForcesAndTabulates() throws {
        let spec = try CLI.spec("encoders", Self.encodersSpec)
        let ids = try CLI.runIds(spec)
        #expect(ids.count == 4 && Set(ids).count == 4)

        // Run: every run finished, stored with its three files.
        let first = try CLI.gfe(["run", spec, "--jobs", "2", "--results", CLI.results])
        #expect(first.status == 0, "\(first.out)\n\(first.err)")
        #expect(first.out.contains("e2e-encoders: 4 runs: 4 finished"), "\(first.out)")
        for id in ids {
            let record = try #require(CLI.record("e2e-encoders", id), "no run.json for \(id)")
            #expect(record["status"] as? String == "finished")
            #expect(record["runId"] as? String == id)
            let curves = try CSV.read("\(CLI.results)/e2e-encoders/\(id)/curves.csv")
            #expect(curves.header == ["run", "iteration", "images_seen", "wall_s", "metric", "value"])
        }
        #expect(CLI.hiddenEntries("e2e-encoders").isEmpty)
        try expectReadableByPython("\(CLI.results)/e2e-encoders/\(ids[0])")

        // Rerun: nothing is recomputed.
        let before = ids.map {
            try? String(contentsOfFile: "\(CLI.results)/e2e-encoders/\($0)/run.json", encoding: .utf8)
        }
        let again = try CLI.gfe(["run", spec, "--results", CLI.results])
        #expect(again.status == 0, "\(again.err)")
        #expect(again.out.contains("4 already finished"), "\(again.out)")
        #expect(
            ids.map { try? String(contentsOfFile: "\(CLI.results)/e2e-encoders/\($0)/run.json", encoding: .utf8) }
                == before)

        // --force with --index recomputes exactly that run.
        let forced = try CLI.gfe(["run", spec, "--index", "1", "--force", "--results", CLI.results])
        #expect(forced.status == 0, "\(forced.out)\n\(forced.err)")
        #expect(forced.out.contains("[1] \(ids[1])"), "\(forced.out)")
        let after = ids.map {
            try? String(contentsOfFile: "\(CLI.results)/e2e-encoders/\($0)/run.json", encoding: .utf8)
        }
        #expect(after[1] != before[1])
        #expect(after[0] == before[0] && after[2] == before[2] && after[3] == before[3])

        // Table: cells are the mean and sd over seeds of the runs' own values.
        let table = try CLI.gfe(["table", spec, "--results", CLI.results])
        #expect(table.status == 0, "\(table.err)")
        let csv = try CSV.read("\(CLI.results)/e2e-encoders/table.csv")
        #expect(
            csv.header == [
                "images_seen", "one_step", "one_step_sd", "one_step_n", "fixed_grid", "fixed_grid_sd", "fixed_grid_n"
            ])
        #expect(try csv.column("images_seen") == ["32", "64"])
        for (column, runs) in [("one_step", [ids[0], ids[1]]), ("fixed_grid", [ids[2], ids[3]])] {
            for (row, seen) in [32, 64].enumerated() {
                let values = runs.map { id -> Double in
                    let checkpoints =
                        ((CLI.record("e2e-encoders", id)?["results"] as? [String: Any])?["checkpoints"]
                            as? [[String: Any]]) ?? []
                    let c = checkpoints.first { ($0["imagesSeen"] as? Int) == seen }
                    return ((c?["metrics"] as? [String: Any])?["test_loss_gfe"] as? Double) ?? .nan
                }
                let mean = (values[0] + values[1]) / 2
                let sd = abs(values[0] - values[1]) / 2.0.squareRoot()  // n = 2: |a − b| / √2
                #expect(abs(try csv.doubles(column)[row] - mean) <= 1e-15 * abs(mean), "\(column) at \(seen)")
                #expect(
                    abs(try csv.doubles(column + "_sd")[row] - sd) <= 1e-12 * max(sd, 1e-300), "\(column)_sd at \(seen)"
                )
                #expect(try csv.column(column + "_n")[row] == "2")
            }
        }

        // --json: the same cells, numbers as numbers (the CSV is written all the same).
        let tableJSON = try CLI.gfe(["table", spec, "--json", "--results", CLI.results])
        #expect(tableJSON.status == 0, "\(tableJSON.err)")
        let document = try #require(
            try JSONSerialization.jsonObject(with: Data(tableJSON.out.utf8)) as? [String: Any], "\(tableJSON.out)")
        #expect(document["columns"] as? [String] == csv.header)
        #expect(document["finished"] as? Int == 4 && document["planned"] as? Int == 4)
        let jsonRows = try #require(document["rows"] as? [[String: Any]])
        #expect(jsonRows.map { $0["images_seen"] as? Int } == [32, 64])
        // (Foundation's JSON reader may round the last digit, so the values compare to 1e-15.)
        for (row, value) in try csv.doubles("fixed_grid").enumerated() {
            let read = try #require((jsonRows[row]["fixed_grid"] as? NSNumber)?.doubleValue, "\(jsonRows[row])")
            #expect(abs(read - value) <= 1e-15 * abs(value), "\(read) vs \(value)")
        }

        // gfe runs: one row per run and checkpoint, the encoder's fields flattened, each run's own values.
        let runs = try CLI.gfe(["runs", spec, "--csv", "--results", CLI.results])
        #expect(runs.status == 0, "\(runs.err)")
        let listing = try CSV.parse(runs.out, source: "gfe runs")
        for column in ["run_id", "state", "encoder.method", "encoder.points", "seed", "images_seen", "test_loss_gfe"] {
            #expect(listing.header.contains(column), "\(listing.header)")
        }
        #expect(try listing.column("run_id") == ids.flatMap { [$0, $0] })
        #expect(
            try listing.column("encoder.method") == ["oneStep", "oneStep", "oneStep", "oneStep"]
                + Array(repeating: "fixedGrid", count: 4))
        #expect(try listing.column("encoder.points") == ["", "", "", "", "3", "3", "3", "3"])
        #expect(try listing.column("seed") == ["1", "1", "2", "2", "1", "1", "2", "2"])
        // The label names the configuration (seeds share it): the spec's sweep labels, or the field's own name.
        #expect(
            try listing.column("label")
                == Array(repeating: "encoder: method=oneStep", count: 4)
                + Array(repeating: "encoder: method=fixedGrid, points=3, tau=100", count: 4))
        for (k, id) in ids.enumerated() {
            let checkpoints =
                ((CLI.record("e2e-encoders", id)?["results"] as? [String: Any])?["checkpoints"] as? [[String: Any]])
                ?? []
            let losses = checkpoints.map { ($0["metrics"] as? [String: Any])?["test_loss_gfe"] as? Double }
            for (j, loss) in losses.enumerated() {
                let cell = try listing.doubles("test_loss_gfe")[2 * k + j]
                #expect(abs(cell - (loss ?? .nan)) <= 1e-15 * cell, "run \(id): \(cell) vs \(String(describing: loss))")
            }
        }
        let runsJSON = try CLI.gfe(["runs", spec, "--json", "--results", CLI.results])
        let objects = try #require(
            try JSONSerialization.jsonObject(with: Data(runsJSON.out.utf8)) as? [[String: Any]], "\(runsJSON.out)")
        #expect(objects.count == 8 && objects[0]["encoder.method"] as? String == "oneStep")
        let csvAndJSON = try CLI.gfe(["runs", spec, "--csv", "--json", "--results", CLI.results])
        #expect(csvAndJSON.status == 2 && csvAndJSON.err.contains("exclusive"), "\(csvAndJSON.err)")

        // gfe runs --curves: each run's curves.csv rows, with its swept columns, filtered by metric.
        let curves = try CLI.gfe(["runs", spec, "--curves", "--metric", "train_loss", "--csv", "--results", CLI.results]
        )
        #expect(curves.status == 0, "\(curves.err)")
        let long = try CSV.parse(curves.out, source: "gfe runs --curves")
        #expect(
            long.header == [
                "index", "run_id", "state", "label", "encoder.method", "seed", "encoder.points", "encoder.tau",
                "iteration",
                "images_seen", "wall_s", "metric", "value"
            ])
        #expect(try Set(long.column("metric")) == ["train_loss"])
        for (k, id) in ids.enumerated() {
            let own = try CSV.read("\(CLI.results)/e2e-encoders/\(id)/curves.csv")
            let losses = zip(try own.column("metric"), try own.column("value")).filter { $0.0 == "train_loss" }.map(\.1)
            let mine = long.rows.filter { $0[1] == id }
            #expect(mine.map { $0[12] } == losses && losses.count == 4, "run \(id)")
            #expect(mine.allSatisfy { $0[0] == String(k) && $0[2] == "finished" })
        }
        #expect(try long.column("seed").prefix(4) == ["1", "1", "1", "1"])
        let unknown = try CLI.gfe(["runs", spec, "--curves", "--metric", "val_loss", "--results", CLI.results])
        #expect(
            unknown.status == 2 && unknown.err.contains("records the metric 'val_loss'; recorded: ")
                && unknown.err.contains("validation_loss") == false && unknown.err.contains("train_loss"),
            "\(unknown.err)")
        let metricAlone = try CLI.gfe(["runs", spec, "--metric", "train_loss", "--results", CLI.results])
        #expect(metricAlone.status == 2 && metricAlone.err.contains("--metric and --every apply to --curves only"))
        let thinned = try CLI.gfe(
            ["runs", spec, "--curves", "--metric", "train_loss", "--every", "2", "--csv", "--results", CLI.results])
        #expect(
            try CSV.parse(thinned.out, source: "thinned").column("iteration")
                == Array(repeating: ["2", "4"], count: 4).flatMap { $0 })
        let zero = try CLI.gfe(["runs", spec, "--curves", "--every", "0", "--results", CLI.results])
        #expect(zero.status == 2 && zero.err.contains("--every must be at least 1"), "\(zero.err)")

        // Diff: within tolerance, outside it, and not comparable.
        let values = try csv.doubles("one_step")
        let grid = try csv.doubles("fixed_grid")
        let close = try CLI.spec(
            "ref-close",
            "# reference\nimages_seen,one_step,fixed_grid,extra\n"
                + "32,\(values[0] * 1.001),\(grid[0]),9\n64,\(values[1]),\(grid[1] * 0.999),9\n")
        let far = try CLI.spec(
            "ref-far", "images_seen,one_step,fixed_grid\n32,\(values[0] * 1.5),\(grid[0])\n64,\(values[1]),\(grid[1])\n"
        )
        let tablePath = "\(CLI.results)/e2e-encoders/table.csv"
        let pass = try CLI.gfe(["diff", tablePath, close, "--key", "images_seen", "--rtol", "0.01"])
        #expect(pass.status == 0, "\(pass.out)\n\(pass.err)")
        #expect(
            pass.out.contains("4 cells compared") && pass.out.contains("not compared (not in the result): extra"),
            "\(pass.out)")
        let fail = try CLI.gfe(["diff", tablePath, far, "--key", "images_seen", "--rtol", "0.01"])
        #expect(fail.status == 1, "\(fail.out)\n\(fail.err)")
        #expect(fail.out.contains("1 outside"), "\(fail.out)")
        let looser = try CLI.gfe([
            "diff", tablePath, far, "--key", "images_seen", "--rtol", "0.01", "--tol", "one_step=0.6"
        ])
        #expect(looser.status == 0, "\(looser.out)")
        let broken = try CLI.gfe(["diff", tablePath, far, "--key", "images", "--rtol", "0.01"])
        #expect(broken.status == 2)
        #expect(broken.err.contains("key column 'images'"), "\(broken.err)")
        let missing = try CLI.gfe(["diff", tablePath, close, "--key", "images_seen", "--columns", "one_step,extra"])
        #expect(missing.status == 2)
        #expect(missing.err.contains("the column 'extra' is missing from the result"), "\(missing.err)")

        // Status lists every run with its folder.
        let status = try CLI.gfe(["status", spec, "--results", CLI.results])
        #expect(status.status == 0)
        #expect(status.out.contains("4 finished"), "\(status.out)")
        for id in ids { #expect(status.out.contains("\(CLI.results)/e2e-encoders/\(id)")) }

        // --seeds 3: the spec's seeds 1 and 2, then 3; only the two new runs are computed, the table averages three.
        let more = try CLI.gfe(["run", spec, "--seeds", "3", "--results", CLI.results])
        #expect(more.status == 0, "\(more.out)\n\(more.err)")
        #expect(more.out.contains("6 runs") && more.out.contains("4 already finished"), "\(more.out)")
        let table3 = try CLI.gfe(["table", spec, "--seeds", "3", "--results", CLI.results])
        #expect(table3.status == 0, "\(table3.err)")
        // A table made under --seeds is the spec's table no longer: it goes to a file of its own.
        let seedsTable = try #require(table3.out.components(separatedBy: "→ ").last?.trimmingCharacters(in: .newlines))
        #expect(seedsTable.hasPrefix("\(CLI.results)/e2e-encoders/table-") && seedsTable.hasSuffix(".csv"))
        #expect(try CSV.read(seedsTable).column("one_step_n") == ["3", "3"])
        #expect(try CSV.read("\(CLI.results)/e2e-encoders/table.csv").column("one_step_n") == ["2", "2"])
        let both = try CLI.gfe(["run", spec, "--seeds", "3", "--set", "seed=4", "--results", CLI.results])
        #expect(both.status == 2 && both.err.contains("both choose the seed"), "\(both.err)")
        let bad = try CLI.gfe(["status", spec, "--seeds", "two", "--results", CLI.results])
        #expect(bad.status == 2 && bad.err.contains("--seeds 'two'"), "\(bad.err)")
        let single = try CLI.gfe(["status", spec, "--seeds", "2021", "--results", CLI.results])
        #expect(single.status == 2 && single.err.contains("use --set seed=2021"), "\(single.err)")
    }

    /// `gfe --version` names the commit of the checkout it was built in, as `git rev-parse HEAD` does.
    /// Piped, `gfe run` prints its progress every --progress-every seconds: a header with an ETA once a rate
    /// is measured, and a line per worker with the numbers before the run's label.
    @Test func pipedProgressHasAnETAAndNumbersFirst() throws {
        let spec = try CLI.spec(
            "progress",
            """
            {"name": "e2e-progress", "description": "progress lines",
             "base": {"batchSize": 16, "budget": {"iterations": 30}, "data": {"trainLimit": 64, "testLimit": 64},
                      "encoder": {"method": "oneStep"}, "checkpoints": {"imagesSeen": [240, 480]}},
             "seeds": [1, 2]}
            """)
        let run = try CLI.gfe(["run", spec, "--jobs", "1", "--progress-every", "0.02", "--results", CLI.results])
        #expect(run.status == 0, "\(run.out)\n\(run.err)")
        let lines = run.out.split(separator: "\n").map(String.init)
        let headers = lines.filter { $0.hasPrefix("e2e-progress: ") && $0.contains(" elapsed · ETA ") }
        #expect(headers.contains { $0.contains("ETA ~") || $0.contains("ETA ≥") }, "\(run.out)")
        let workers = lines.filter { $0.hasPrefix("  [") }
        #expect(workers.contains { $0.hasPrefix("  [0]  it ") && $0.hasSuffix("  seed=1") }, "\(run.out)")
        #expect(workers.allSatisfy { $0.hasSuffix("seed=1") || $0.hasSuffix("seed=2") }, "\(run.out)")
    }

    @Test func versionNamesTheCommit() throws {
        let version = try CLI.gfe(["--version"])
        #expect(version.status == 0)
        guard let head = runTool("git", ["-C", CLI.repositoryRoot, "rev-parse", "HEAD"]), head.status == 0 else {
            return  // not a git checkout: the version alone
        }
        let commit = head.output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(version.out == "0.1.0 (git \(commit))\n", "\(version.out)")
    }

    /// Checks with Python (h5py, csv) that run.h5, curves.csv and run.json hold the same checkpoint losses.
    func expectReadableByPython(_ folder: String) throws {
        let script = """
            import csv, json, sys
            try:
                import h5py
            except ImportError:
                print("SKIP"); sys.exit(0)
            d = sys.argv[1]
            rec = json.load(open(d + "/run.json"))
            js = [c["metrics"]["test_loss_gfe"] for c in rec["results"]["checkpoints"]]
            with h5py.File(d + "/run.h5", "r") as f:
                run_id = f.attrs["run_id"]
                run_id = run_id.decode() if isinstance(run_id, bytes) else run_id
                h5 = [float(f["checkpoints/%03d/gfe" % k].attrs["mean_loss"]) for k in range(len(js))]
                n = len(f["curves/train/loss"])
            rows = [float(r["value"]) for r in csv.DictReader(open(d + "/curves.csv")) if r["metric"] == "test_loss_gfe"]
            try:
                import pandas
                frame = pandas.read_csv(d + "/curves.csv")
                assert list(frame.columns) == ["run", "iteration", "images_seen", "wall_s", "metric", "value"]
            except ImportError:
                pass
            print(json.dumps({"same": js == h5 == rows, "id": run_id == rec["runId"], "iterations": n}))
            """
        guard let run = runTool("python3", ["-c", script, folder]) else { return }  // no Python: nothing to check
        let text = run.output
        if text.hasPrefix("SKIP") { return }
        #expect(
            text.contains(#""same": true"#) && text.contains(#""id": true"#) && text.contains(#""iterations": 4"#),
            "\(text)")
    }

    @Test func killedSweepLeavesNoFalseRunAndResumes() throws {
        // Three AE runs, one worker: run 0 finishes, run 1 is killed mid-way, run 2 has not started.
        let spec = try CLI.spec(
            "killed",
            """
            {"name": "e2e-killed", "outputs": {"models": "none"},
             "base": {"method": "ae", "batchSize": 16, "data": {"trainLimit": 64, "testLimit": 16},
                      "checkpoints": {"atEnd": true, "evaluations": ["ae"]}},
             "sweep": {"axes": {"budget.iterations": [2, 12, 3]}}}
            """)
        let ids = try CLI.runIds(spec)
        let folder = "\(CLI.results)/e2e-killed"
        let sweep = try CLI.Running(["run", spec, "--jobs", "1", "--results", CLI.results])
        let midRun = CLI.waitUntil(120) {
            FileManager.default.fileExists(atPath: "\(folder)/\(ids[0])/run.json")
                && CLI.hiddenEntries("e2e-killed").contains { $0.hasPrefix(".\(ids[1]).partial-") }
        }
        #expect(midRun, "run 1 never started")
        kill(sweep.pid, SIGKILL)
        _ = sweep.wait()
        // The worker notices its parent is gone and stops; its lock is then free.
        let released = CLI.waitUntil(20) { !RunLock.isHeld("\(folder)/.locks/\(ids[1]).lock") }
        #expect(released, "the worker outlived its parent")
        let finishedBefore = try String(contentsOfFile: "\(folder)/\(ids[0])/run.json", encoding: .utf8)
        #expect(!FileManager.default.fileExists(atPath: "\(folder)/\(ids[1])"))  // nothing mistakable for a run
        #expect(!FileManager.default.fileExists(atPath: "\(folder)/\(ids[2])"))
        let status = try CLI.gfe(["status", spec, "--results", CLI.results])
        #expect(status.out.contains("1 finished") && status.out.contains("2 not started"), "\(status.out)")

        let resumed = try CLI.gfe(["run", spec, "--jobs", "1", "--results", CLI.results])
        #expect(resumed.status == 0, "\(resumed.out)\n\(resumed.err)")
        #expect(resumed.out.contains("1 already finished") && resumed.out.contains("computing 2"), "\(resumed.out)")
        #expect(try String(contentsOfFile: "\(folder)/\(ids[0])/run.json", encoding: .utf8) == finishedBefore)
        for (i, id) in ids.enumerated() {
            let record = try #require(CLI.record("e2e-killed", id))
            #expect(record["status"] as? String == "finished")
            #expect((record["results"] as? [String: Any])?["iterations"] as? Int == [2, 12, 3][i])
        }
        #expect(CLI.hiddenEntries("e2e-killed").isEmpty)
    }

    @Test func failingRunIsRecordedAndTheOtherFinishes() throws {
        let spec = try CLI.spec(
            "failing",
            """
            {"name": "e2e-failing", "outputs": {"models": "none"},
             "base": {"method": "ae", "batchSize": 16, "budget": {"iterations": 3},
                      "data": {"trainLimit": 48, "testLimit": 16}, "checkpoints": {"atEnd": true, "evaluations": ["ae"]}},
             "sweep": {"axes": {"optimiser.lr": [0.0005, 1e30]}}}
            """)
        let ids = try CLI.runIds(spec)
        let run = try CLI.gfe(["run", spec, "--jobs", "2", "--results", CLI.results])
        #expect(run.status == 1, "\(run.out)\n\(run.err)")
        #expect(run.out.contains("1 finished, 1 failed"), "\(run.out)")
        #expect(CLI.record("e2e-failing", ids[0])?["status"] as? String == "finished")
        let failed = try #require(CLI.record("e2e-failing", ids[1]))
        #expect(failed["status"] as? String == "failed")
        #expect((failed["reason"] as? String)?.contains("not finite") == true, "\(failed)")
        let status = try CLI.gfe(["status", spec, "--results", CLI.results])
        #expect(status.status == 1, "a failed run makes status exit 1")
        #expect(status.out.contains("1 finished, 1 failed"), "\(status.out)")
        #expect(status.out.contains("not finite"), "\(status.out)")
        // The same as JSON, for scripts: counts, and per run its state, reason and swept values.
        let json = try CLI.gfe(["status", spec, "--json", "--results", CLI.results])
        #expect(json.status == 1)
        let document = try #require(
            try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any], "\(json.out)")
        let counts = try #require(document["counts"] as? [String: Int])
        #expect(counts["finished"] == 1 && counts["failed"] == 1 && counts["notStarted"] == 0, "\(counts)")
        let runs = try #require(document["runs"] as? [[String: Any]])
        #expect(runs.map { $0["runId"] as? String } == ids.map { Optional($0) })
        #expect(runs.map { $0["state"] as? String } == ["finished", "failed"])
        #expect((runs[1]["note"] as? String)?.contains("not finite") == true)
        #expect((runs[1]["swept"] as? [String: Any])?["optimiser.lr"] as? Double == 1e30)
        // The figures draw the failed run up to where it stopped, saying that it failed and why.
        let plot = try CLI.gfe(["plot", spec, "--results", CLI.results])
        #expect(plot.status == 0, "\(plot.out)\n\(plot.err)")
        let iterations = try #require((failed["results"] as? [String: Any])?["iterations"] as? Int)
        #expect(iterations >= 1 && iterations < 3, "\(failed)")
        let label = "lr=1e+30 (failed after iteration \(iterations))"
        let figure = try String(
            contentsOfFile: "\(CLI.results)/e2e-failing/figures/train_loss-vs-iteration.svg", encoding: .utf8)
        // Legends name the configuration (the spec's last field name and value by default); a cross marks
        // where the failed run stopped, and the legend's title says so.
        #expect(figure.contains(">lr=1e+30<") && figure.contains(">lr=0.0005<"), "no legend entries")
        #expect(figure.contains("× where a run failed"), "no note of the failure")
        let index = try String(contentsOfFile: "\(CLI.results)/e2e-failing/figures/index.md", encoding: .utf8)
        #expect(
            index.contains("| \(ids[1]) | \(label) | ../\(ids[1])/ | failed: training stopped at iteration"), "\(index)"
        )
        #expect(index.contains("| \(ids[0]) | lr=0.0005 | ../\(ids[0])/ | finished |"), "\(index)")
        // It diverged: the next run keeps it (the same inputs diverge again) and still exits 1; --force recomputes it.
        #expect(failed["diverged"] as? Bool == true, "\(failed)")
        let dry = try CLI.gfe(["run", spec, "--dry-run", "--results", CLI.results])
        #expect(
            dry.out.contains("\(ids[1])  lr=1e+30  → diverged before; kept (--force recomputes)")
                && dry.out.contains("0 of 2 would be computed"), "\(dry.out)")
        let again = try CLI.gfe(["run", spec, "--results", CLI.results])
        #expect(again.status == 1)
        #expect(
            again.out.contains(
                "2 runs planned, 1 already finished, 1 diverged before (kept; --force recomputes); nothing to compute")
                && again.out.contains("1 already finished, 1 failed")
                && again.out.contains("kept: the same inputs diverge again"),
            "\(again.out)")
        #expect(
            CLI.record("e2e-failing", ids[1])?["time"] as? NSDictionary == failed["time"] as? NSDictionary, "recomputed"
        )
        let forced = try CLI.gfe(["run", spec, "--force", "--results", CLI.results])
        #expect(forced.status == 1 && forced.out.contains("computing 2 with"), "\(forced.out)")
        #expect(
            CLI.record("e2e-failing", ids[1])?["time"] as? NSDictionary != failed["time"] as? NSDictionary,
            "not recomputed")
    }

    /// Two specs that plan the same run (table2-mnist and fig5 share theirs): the second links the first's
    /// finished run instead of computing it, and reads it as its own.
    @Test func finishedRunsOfOtherExperimentsAreReused() throws {
        let body =
            #""outputs": {"models": "none"}, "base": {"method": "ae", "batchSize": 16, "budget": {"iterations": 2}, "data": {"trainLimit": 32, "testLimit": 16}, "checkpoints": {"atEnd": true, "evaluations": ["ae"]}}"#
        let first = try CLI.spec("shared-a", "{\"name\": \"e2e-shared-a\", \(body), \"seeds\": [1]}")
        let second = try CLI.spec("shared-b", "{\"name\": \"e2e-shared-b\", \(body), \"seeds\": [1, 2]}")
        let ids = try CLI.runIds(second)
        #expect(try CLI.runIds(first) == [ids[0]])
        let a = try CLI.gfe(["run", first, "--results", CLI.results])
        #expect(a.status == 0, "\(a.out)\n\(a.err)")
        let recordA = try String(contentsOfFile: "\(CLI.results)/e2e-shared-a/\(ids[0])/run.json", encoding: .utf8)

        let b = try CLI.gfe(["run", second, "--results", CLI.results])
        #expect(b.status == 0, "\(b.out)\n\(b.err)")
        #expect(
            b.out.contains("\(ids[0]): finished in experiment e2e-shared-a") && b.out.contains("computing 1"),
            "\(b.out)")
        let linked = "\(CLI.results)/e2e-shared-b/\(ids[0])"
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: linked) == "../e2e-shared-a/\(ids[0])")
        #expect(try String(contentsOfFile: linked + "/run.json", encoding: .utf8) == recordA)
        let status = try CLI.gfe(["status", second, "--results", CLI.results])
        #expect(status.status == 0 && status.out.contains("2 finished"), "\(status.out)")
        let table = try CLI.gfe(["table", second, "--results", CLI.results])
        #expect(table.status == 0 && table.out.contains("2 of 2 runs finished"), "\(table.out)\n\(table.err)")
    }

    @Test func indexAndSlurmScript() throws {
        // testLimit 12: a configuration no other test plans, so no parallel test computes (and owns) these runs.
        let spec = try CLI.spec(
            "indexed",
            """
            {"name": "e2e-indexed", "outputs": {"models": "none"},
             "base": {"method": "ae", "batchSize": 16, "budget": {"iterations": 2},
                      "data": {"trainLimit": 32, "testLimit": 12}, "checkpoints": {"atEnd": true, "evaluations": ["ae"]}},
             "seeds": [1, 2, 3]}
            """)
        let ids = try CLI.runIds(spec)
        let plan = try CLI.gfe(["plan", spec, "--slurm", "--time", "00:10:00", "--results", CLI.results])
        #expect(plan.status == 0, "\(plan.err)")
        #expect(plan.out.contains("#SBATCH --array=0-2") && plan.out.contains("#SBATCH --time=00:10:00"), "\(plan.out)")
        // Slurm opens the logs before a task starts: the plan made their folder.
        var isFolder: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: "\(CLI.results)/e2e-indexed/slurm", isDirectory: &isFolder))
        #expect(isFolder.boolValue)
        let script = try CLI.file("indexed-slurm.sh", plan.out)

        func task(_ i: Int, _ extra: [String]) throws -> CLI.Output {
            var env = CLI.environment
            env["SLURM_ARRAY_TASK_ID"] = String(i)
            env["SLURM_ARRAY_JOB_ID"] = "4242"
            env["SLURMD_NODENAME"] = "node7"
            return try CLI.Running([script] + extra, environment: env, executable: "/bin/bash").wait()
        }
        let dry = try task(1, ["--dry-run"])
        #expect(dry.status == 0, "\(dry.out)\n\(dry.err)")
        #expect(dry.out.contains("1  \(ids[1])") && dry.out.contains("would compute"), "\(dry.out)")
        // A dry run writes nothing: the experiment folder holds only the log folder the plan made.
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(CLI.results)/e2e-indexed") == ["slurm"])

        let real = try task(1, [])
        #expect(real.status == 0, "\(real.out)\n\(real.err)")
        #expect(CLI.record("e2e-indexed", ids[1])?["status"] as? String == "finished")
        #expect(CLI.record("e2e-indexed", ids[0]) == nil && CLI.record("e2e-indexed", ids[2]) == nil)
        // The run knows the Slurm job, array task and node it was computed in.
        let provenance = CLI.record("e2e-indexed", ids[1])?["provenance"] as? [String: Any]
        let slurm = provenance?["slurm"] as? [String: String]
        #expect(slurm == ["jobId": "4242", "arrayTaskId": "1", "node": "node7"], "\(provenance ?? [:])")
        let again = try CLI.gfe(["run", spec, "--index", "1", "--results", CLI.results])
        #expect(again.status == 0 && again.out.contains("already finished"), "\(again.out)")
        let bad = try CLI.gfe(["run", spec, "--index", "7", "--results", CLI.results])
        #expect(bad.status == 2 && bad.err.contains("has 3 runs"), "\(bad.err)")
        // A task whose plan entry is no longer the run it was submitted for refuses to compute it.
        let moved = try CLI.gfe(["run", spec, "--index", "2", "--expect-id", "0123456789ab", "--results", CLI.results])
        #expect(
            moved.status == 2 && moved.err.contains("plan entry 2 is run \(ids[2]) now, not 0123456789ab"),
            "\(moved.err)")
        #expect(CLI.record("e2e-indexed", ids[2]) == nil)
        // Options that do not go together, and a machine without Slurm's commands: exit 2, nothing submitted.
        for (arguments, message) in [
            (["--executor", "slurm", "--index", "0"], "does not go with --executor slurm"),
            (["--no-wait"], "--no-wait is for --executor slurm"),
            (["--executor", "slurm", "--jobs", "2"], "on Slurm use --parallel N"),
            (["--expect-id", "abc"], "--expect-id goes with --index")
        ] {
            let r = try CLI.gfe(["run", spec, "--results", CLI.results] + arguments)
            #expect(r.status == 2 && r.err.contains(message), "\(arguments): \(r.err)")
        }
        // Job options go into the script as #SBATCH lines: Slurm's forms only, never a line break.
        for (arguments, message) in [
            (["--time", "abc"], "is not a Slurm time"), (["--mem", "4X"], "is not a Slurm memory size"),
            (["--partition", "a\necho injected"], "is not a partition name"),
            (["--sbatch=--x\necho injected"], "one sbatch option on one line"), (["--cpus", "0"], "--cpus must be")
        ] {
            let r = try CLI.gfe(["plan", spec, "--slurm", "--results", CLI.results] + arguments)
            #expect(r.status == 2 && r.err.contains(message) && !r.out.contains("injected"), "\(arguments): \(r.err)")
        }
        var noSlurm = CLI.environment
        noSlurm["PATH"] = "/nonexistent"
        let missing = try CLI.gfe(
            ["run", spec, "--executor", "slurm", "--results", CLI.results], environment: noSlurm)
        #expect(missing.status == 2 && missing.err.contains("cannot run sbatch"), "\(missing.out)\n\(missing.err)")
    }

    /// A declared decoder (tanh, MSE outputs) trains GFE and the AE, and its stored model carries its
    /// architecture and loss: `gfe evaluate` on it, with no flag about either, gives the run's test losses.
    @Test func declaredDecoderTrainsAndItsCheckpointEvaluatesAlone() throws {
        let spec = try CLI.spec(
            "declared",
            """
            {"name": "e2e-declared", "outputs": {"models": "final"},
             "base": {"batchSize": 16, "budget": {"iterations": 2}, "latentDim": 4,
                      "decoder": {"hidden": [32, 64], "activation": "tanh", "output": "identity"},
                      "data": {"trainLimit": 32, "testLimit": 12}, "checkpoints": {"atEnd": true}},
             "sweep": {"axes": {"method": ["gfe", "ae"]}}, "seeds": [2020]}
            """)
        let ids = try CLI.runIds(spec)
        let run = try CLI.gfe(["run", spec, "--results", CLI.results])
        #expect(run.status == 0, "\(run.out)\n\(run.err)")
        for (id, model, metric) in [(ids[0], "gfe", "test_loss_gfe"), (ids[1], "ae", "test_loss_ae")] {
            let results = try #require(CLI.record("e2e-declared", id)?["results"] as? [String: Any])
            let metrics = (results["checkpoints"] as? [[String: Any]])?.last?["metrics"] as? [String: Double]
            let expected = try #require(metrics?[metric], "\(results)")
            let evaluated = try CLI.gfe([
                "evaluate", "--checkpoint", "\(CLI.results)/e2e-declared/\(id)/run.h5", "--group", "model",
                "--model", model, "--dataset", "mnist", "--split", "test", "--limit", "12", "--batch", "16",
                "--seed", "2020"
            ])
            #expect(evaluated.status == 0, "\(evaluated.err)")
            let line = evaluated.out.split(separator: "\n").first { $0.hasPrefix("mean loss") }
            let mean = line.flatMap { $0.split(separator: " ").last }.flatMap { Double($0) }
            #expect(mean == Double(String(format: "%.8f", expected)), "\(model): \(evaluated.out) vs \(expected)")
        }
    }

    @Test func badSpecIsRejectedBeforeAnythingIsWritten() throws {
        let spec = try CLI.spec("bad", #"{"name": "e2e-bad", "base": {"batchsize": 16}, "seeds": [1]}"#)
        for command in ["resolve", "run", "status"] {
            let r = try CLI.gfe([command, spec, "--results", CLI.results])
            #expect(r.status == 2)
            #expect(
                r.err.hasPrefix("gfe: error: \(spec): $.base: unknown field 'batchsize' (did you mean \"batchSize\"?)"),
                "\(r.err)")
            #expect(r.err.split(separator: "\n").count == 1)
        }
        #expect(!FileManager.default.fileExists(atPath: "\(CLI.results)/e2e-bad"))
    }

    @Test func interruptStopsCleanly() throws {
        let spec = try CLI.spec(
            "interrupted",
            """
            {"name": "e2e-interrupted", "outputs": {"models": "none"},
             "base": {"method": "ae", "batchSize": 16, "budget": {"iterations": 40},
                      "data": {"trainLimit": 64, "testLimit": 16}, "checkpoints": {"atEnd": true, "evaluations": ["ae"]}},
             "seeds": [1, 2]}
            """)
        let sweep = try CLI.Running(["run", spec, "--jobs", "2", "--results", CLI.results])
        let started = CLI.waitUntil(60) { CLI.hiddenEntries("e2e-interrupted").contains { $0.contains(".partial-") } }
        #expect(started)
        kill(sweep.pid, SIGINT)
        let r = sweep.wait()
        #expect(r.status == 130, "\(r.out)\n\(r.err)")
        #expect(r.out.contains("interrupted"), "\(r.out)")
        #expect(CLI.hiddenEntries("e2e-interrupted").isEmpty)
        let status = try CLI.gfe(["status", spec, "--results", CLI.results])
        #expect(status.out.contains("2 not started"), "\(status.out)")
    }
}
