import Foundation
import GFEStore
import GFETestSupport
import Testing

/// A user's own data through the `gfe` command, as docs/your-own-data.md describes it: an `.npz` written by
/// the repository's own writer (scripts/npz.py, the standard library only), a spec from scratch, GFE-amd and
/// the AE with MSE, a table and figures; the stored model evaluates the user's file without further flags;
/// and bad data stop every command before anything runs.
@Suite(.serialized) struct OwnDataCLITests {
    /// Writes `OUT.npz` with `x` [n, 6] real values (outside [0, 1]) and `y` [n] labels 0–2.
    static let writeData = """
        import math, random, sys
        sys.path.insert(0, sys.argv[2])
        from npz import write_npz
        n, rng = int(sys.argv[3]), random.Random(5)
        x, y = [], []
        for i in range(n):
            c = i % 3
            y.append(c)
            x += [round(c + math.sin(j + i) + 0.1 * rng.gauss(0, 1), 6) for j in range(6)]
        bad = sys.argv[4] if len(sys.argv) > 4 else ""
        if bad == "nan":
            x[7] = float("nan")
        labels = y[:-1] if bad == "labels" else y
        write_npz(sys.argv[1], {"x": (x, (n, 6), "float32"), "y": (labels, (len(labels),), "uint8")})
        """

    static func data(_ name: String, count: Int = 60, bad: String = "") throws -> String {
        let path = ExperimentCLI.workspace + "/specs/" + name
        _ = try Python.run(
            Self.writeData, [path, TestPaths.repositoryRoot + "/scripts", "\(count)"] + (bad.isEmpty ? [] : [bad]))
        return path
    }

    static func spec(_ name: String, data: String, decoder: String = #"{"hidden": [16], "output": "identity"}"#) throws
        -> String
    {
        try ExperimentCLI.spec(
            name,
            """
            {"name": "\(name)", "description": "own data",
             "base": {"latentDim": 2, "decoder": \(decoder),
                      "encoder": {"method": "amd", "tau": 200},
                      "batchSize": 10, "budget": {"imagesSeen": 60}, "checkpoints": {"imagesSeen": [30, 60]},
                      "data": {"file": "\(data)", "samples": "x", "labels": "y", "split": {"testFraction": 0.25}}},
             "sweep": {"axes": {"method": ["ae", "gfe"]}},
             "seeds": [3],
             "outputs": {"models": "checkpoints", "latents": ["evaluation"]},
             "table": {"index": "images_seen", "columns": [
               {"name": "ae", "where": {"method": "ae"}, "metric": "test_loss_ae"},
               {"name": "gfe_amd", "where": {"method": "gfe"}, "metric": "test_loss_gfe"}]}}
            """)
    }

    @Test func ownDataTrainsTablesAndDraws() throws {
        let data = try Self.data("signals.npz")
        let spec = try Self.spec("own-signals", data: data)
        let results = ExperimentCLI.results
        let run = try ExperimentCLI.gfe(["run", spec, "--results", results])
        #expect(run.status == 0, "stdout: \(run.out)\nstderr: \(run.err)")
        let table = try ExperimentCLI.gfe(["table", spec, "--results", results])
        #expect(table.status == 0, "stderr: \(table.err)")
        let rows = table.out.split(separator: "\n").filter { $0.hasPrefix("30 ") || $0.hasPrefix("60 ") }
        #expect(rows.count == 2, "table: \(table.out)")
        for row in rows {
            let cells = row.split(separator: " ").compactMap { Double($0) }
            #expect(cells.count == 3 && cells.dropFirst().allSatisfy { $0.isFinite && $0 > 0 }, "row: \(row)")
        }
        let plot = try ExperimentCLI.gfe(["plot", spec, "--results", results])
        #expect(plot.status == 0, "stderr: \(plot.err)")
        // Vector samples: curves of data and reconstructions, one figure per run's evaluation.
        let figures = (try? FileManager.default.contentsOfDirectory(atPath: "\(results)/own-signals/figures")) ?? []
        let reconstructions = figures.filter {
            $0.hasPrefix("reconstructions-signals-test-seed3-60-") && $0.hasSuffix(".svg")
        }
        #expect(reconstructions.count == 3, "figures: \(figures.sorted())")
        if let first = reconstructions.sorted().first {
            let svg = try String(contentsOfFile: "\(results)/own-signals/figures/\(first)", encoding: .utf8)
            #expect(svg.contains("D(z*) of sample 1") && svg.contains("sample 4"))
        }
        // The stored GFE model carries its architecture and loss: evaluate needs no flag about them, and
        // takes real values (MSE) that the paper's loss would refuse.
        let ids = try ExperimentCLI.runIds(spec)
        let model = ["--checkpoint", "\(results)/own-signals/\(ids[1])/run.h5", "--group", "checkpoints/001/model"]
        let images = ExperimentCLI.workspace + "/specs/signals-x.h5"
        try HDF5File.write(to: images, truncating: true) { f in
            try f.write((0..<30).map { Float($0) / 10 - 1 }, shape: [5, 6], to: "x")
        }
        let evaluate = try ExperimentCLI.gfe(["evaluate"] + model + ["--images", images + ":/x", "--set", "tau=200"])
        #expect(evaluate.status == 0 && evaluate.out.contains("mean loss"), "stdout: \(evaluate.out) \(evaluate.err)")
        let narrow = try ExperimentCLI.gfe(["evaluate"] + model + ["--images", data + ":/x"])
        #expect(narrow.status == 2, "an .npz is not an HDF5 file: \(narrow.out)")
        let record = ExperimentCLI.record("own-signals", ids[1])
        let dataRecord = record?["data"] as? [String: Any]
        #expect((dataRecord?["dataset"] as? String) == "\(data):x")
        #expect((dataRecord?["fingerprint"] as? String)?.hasPrefix("files/file-split-v1/") == true)
        // Each evaluation's cost beside its loss: AMD decoder passes per image, and CPU seconds.
        let summary = record?["results"] as? [String: Any]
        let last = (summary?["checkpoints"] as? [[String: Any]])?.last?["metrics"] as? [String: Double]
        let forward = last?["test_forward_passes_gfe"] ?? 0
        #expect(forward > 1 && forward == last?["test_backward_passes_gfe"], "metrics: \(String(describing: last))")
        #expect((last?["test_cpu_s_gfe"] ?? 0) > 0)
    }

    /// Bad data: every command that plans (resolve, run) stops with exit 2 and a message naming the file.
    @Test(arguments: [
        ("nan", "value nan at [1, 1] is not finite"),
        ("labels", "hold 59 labels, but"),
        ("logits", "needs targets in [0, 1]")
    ])
    func badDataStopsBeforeAnythingRuns(_ bad: String, _ expected: String) throws {
        let data = try Self.data("bad-\(bad).npz", bad: bad == "logits" ? "" : bad)
        let decoder = bad == "logits" ? #"{"hidden": [16]}"# : #"{"hidden": [16], "output": "identity"}"#
        let spec = try Self.spec("own-bad-\(bad)", data: data, decoder: decoder)
        for command in ["resolve", "run"] {
            let r = try ExperimentCLI.gfe([command, spec, "--results", ExperimentCLI.results])
            #expect(r.status == 2, "\(command) stdout: \(r.out)")
            #expect(r.err.contains(expected) && r.err.contains("bad-\(bad).npz"), "\(command) stderr: \(r.err)")
        }
        #expect(!FileManager.default.fileExists(atPath: ExperimentCLI.results + "/own-bad-\(bad)"))
    }
}
