import Foundation
import GFETestSupport
import Testing

/// scripts/figures.py, which `gfe plot` runs, on hand-made manifests: a table drawn beside the paper's values
/// with labels and the tolerance, several seeds of one configuration as one mean ± sd line, and the check that
/// no text leaves the canvas. Skipped (with a note) where python3 has no matplotlib; `make test` installs it.
@Suite struct FigureScriptTests {
    static let script = TestPaths.repositoryRoot + "/scripts/figures.py"
    static let hasMatplotlib = runTool("python3", ["-c", "import matplotlib"])?.status == 0

    static func folder(_ name: String) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "gfe-figure-script-\(name)-\(getpid())"
        ).path
        try? FileManager.default.removeItem(atPath: folder)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }

    static func draw(_ manifest: [String: Any], in folder: String) throws -> ToolRun {
        let path = folder + "/manifest.json"
        try JSONSerialization.data(withJSONObject: manifest).write(to: URL(fileURLWithPath: path))
        return try #require(runTool("python3", [script, path]))
    }

    static func manifest(folder: String, runs: [[String: Any]] = [], tables: [[String: Any]] = []) -> [String: Any] {
        [
            "experiment": "t", "spec": "t.json", "folder": folder, "runs": runs,
            "groups": Array(Set(runs.map { $0["group"] as! String })).sorted(), "panels": [String](),
            "panelTitle": "dataset", "solveCurveImages": NSNull(), "tsne": [Any](), "reconstructions": [Any](),
            "tables": tables
        ]
    }

    @Test func aTableIsDrawnBesideThePapersValues() throws {
        guard Self.hasMatplotlib else {
            print("FigureScriptTests: python3 has no matplotlib; skipped (make python-deps)")
            return
        }
        let folder = try Self.folder("table")
        try "# gfe table: t\nimages_seen,gfe_amd,gfe_amd_sd,gfe_amd_n\n480,0.21,0.004,3\n960,0.18,0.003,3\n".write(
            toFile: folder + "/table-seeds3.csv", atomically: true, encoding: .utf8)
        try "# the paper\nimages_seen,gfe_amd\n480,0.2107\n960,0.1800\n".write(
            toFile: folder + "/paper.csv", atomically: true, encoding: .utf8)
        let table: [String: Any] = [
            "path": folder + "/table-seeds3.csv", "key": "images_seen", "keyTitle": "training images seen",
            "columns": ["gfe_amd"], "labels": ["gfe_amd": "GFE-amd"], "valueTitle": "test loss",
            "reference": ["path": folder + "/paper.csv", "key": "images_seen", "tolerance": "rtol 0.1"]
        ]
        let run = try Self.draw(Self.manifest(folder: folder, tables: [table]), in: folder)
        #expect(run.status == 0, "\(run.errors)")
        let line = try #require(
            try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: String], "\(run.output)")
        #expect(line["file"] == "table-seeds3-vs-paper" && line["shows"]?.contains("tolerance rtol 0.1") == true)
        let svg = try String(contentsOfFile: folder + "/table-seeds3-vs-paper.svg", encoding: .utf8)
        for text in ["GFE-amd, ours (mean ± sd, n = 3)", "GFE-amd, paper", "tolerance rtol 0.1", ">480<", ">960<"] {
            #expect(svg.contains(text), "no '\(text)' in the figure")
        }
        for format in ["png", "pdf"] {
            #expect(FileManager.default.fileExists(atPath: folder + "/table-seeds3-vs-paper." + format))
        }
    }

    @Test func seedsOfOneConfigurationAreOneMeanLine() throws {
        guard Self.hasMatplotlib else { return }
        let folder = try Self.folder("seeds")
        var runs: [[String: Any]] = []
        // Two seeds of "GFE-amd" (losses 0.4 and 0.6 at every iteration) and one "AE" run that failed.
        for (id, group, value, state) in [
            ("a", "GFE-amd", 0.4, "finished"), ("b", "GFE-amd", 0.6, "finished"),
            ("c", "AE", 0.5, "failed")
        ] {
            let curves = folder + "/\(id).csv"
            let rows = (0..<5).map { "\(id),\($0),\($0 * 16),\(Double($0) * 0.1),validation_loss,\(value)" }
            try (["run,iteration,images_seen,wall_s,metric,value"] + rows).joined(separator: "\n").write(
                toFile: curves, atomically: true, encoding: .utf8)
            runs.append([
                "id": id, "label": group, "group": group, "panel": NSNull(), "seed": 1, "state": state,
                "curves": curves, "adaptive": true
            ])
        }
        let run = try Self.draw(Self.manifest(folder: folder, runs: runs), in: folder)
        #expect(run.status == 0, "\(run.errors)")
        let svg = try String(contentsOfFile: folder + "/validation_loss-vs-iteration.svg", encoding: .utf8)
        // One legend entry per configuration, with its seed count, and the notes on seeds and the failure.
        #expect(svg.contains("GFE-amd (n = 2)") && svg.contains(">AE<"), "legend")
        #expect(svg.contains("mean ± sd of 1/2 seeds") && svg.contains("× where a run failed"), "legend title")
    }

    @Test func textLeavingTheCanvasIsAnError() throws {
        guard Self.hasMatplotlib else { return }
        let folder = try Self.folder("canvas")
        let script = """
            import sys
            sys.path.insert(0, sys.argv[1])
            from figure_style import plt, save
            fig, ax = plt.subplots(figsize=(3, 2))
            ax.plot([0, 1], [0, 1])
            ax.set_title("a title far too long to fit on a figure three inches wide, so it runs off both edges")
            save(fig, sys.argv[2] + "/cut")
            """
        let run = try #require(
            runTool("python3", ["-c", script, TestPaths.repositoryRoot + "/scripts", folder]))
        #expect(run.status != 0 && run.errors.contains("leaves the canvas"), "\(run.errors)")
        #expect(!FileManager.default.fileExists(atPath: folder + "/cut.png"), "a cut figure was written")
    }

    /// Writes a curves.csv of `rows` (iteration, metric, value) and returns a manifest run for it.
    static func run(_ id: String, group: String, adaptive: Bool, rows: [(Int, String, Double)], in folder: String)
        throws -> [String: Any]
    {
        let curves = folder + "/\(id).csv"
        let lines = rows.map { "\(id),\($0.0),\($0.0 * 16),\(Double($0.0) * 0.1),\($0.1),\($0.2)" }
        try (["run,iteration,images_seen,wall_s,metric,value"] + lines).joined(separator: "\n").write(
            toFile: curves, atomically: true, encoding: .utf8)
        return [
            "id": id, "label": group, "group": group, "panel": NSNull(), "seed": 1, "state": "finished",
            "curves": curves, "adaptive": adaptive
        ]
    }

    /// Only an adaptive solver stops on convergence: the fraction converged of a fixed-grid run is not drawn
    /// (it would be a flat line at 0 that says nothing).
    @Test func convergedIsDrawnForAdaptiveSolversOnly() throws {
        guard Self.hasMatplotlib else { return }
        let folder = try Self.folder("converged")
        let rows = (0..<5).map { ($0, "solve_converged", 0.0) }
        let runs = [
            try Self.run("g", group: "GFE (fixed grid)", adaptive: false, rows: rows, in: folder),
            try Self.run("a", group: "GFE-amd", adaptive: true, rows: rows.map { ($0.0, $0.1, 0.75) }, in: folder)
        ]
        let run = try Self.draw(Self.manifest(folder: folder, runs: runs), in: folder)
        #expect(run.status == 0, "\(run.errors)")
        let svg = try String(contentsOfFile: folder + "/solve_converged-vs-iteration.svg", encoding: .utf8)
        #expect(svg.contains(">GFE-amd<") && !svg.contains("fixed grid"), "the fixed grid's fraction was drawn")
    }

    /// Paper figure 1: a panel per run, t logarithmic over the data's positive range, later iterations darker.
    @Test func solveCurvesGetLaterIterationsDarker() throws {
        guard Self.hasMatplotlib else { return }
        let folder = try Self.folder("solve")
        let t = [0.0, 10, 100, 1000, 10000]
        var rows: [(Int, String, Double)] = []
        for (iteration, scale) in [(0, 0.69), (50, 0.4), (250, 0.2)] {
            for (k, time) in t.enumerated() {
                rows += [
                    (iteration, "solve_curve_t", time), (iteration, "solve_curve_mean_loss", scale / Double(1 + k))
                ]
            }
        }
        let runs = [
            try Self.run("f", group: "GFE", adaptive: false, rows: rows, in: folder),
            try Self.run("n", group: "GFE 2nd order", adaptive: false, rows: rows, in: folder)
        ]
        let run = try Self.draw(Self.manifest(folder: folder, runs: runs), in: folder)
        #expect(run.status == 0, "\(run.errors)")
        #expect(run.output.contains("logarithmic t"), "\(run.output)")
        let svg = try String(contentsOfFile: folder + "/solve-curves.svg", encoding: .utf8)
        #expect(svg.contains(">GFE<") && svg.contains(">GFE 2nd order<") && svg.contains("after 250 iterations"))
        // The curves' stroke colours in drawing order (iterations 0, 50, 250 in each panel, then the legend's):
        // each later one darker.
        let strokes = svg.matches(of: /stroke: (#[0-9a-f]{6})/).map { String($0.1) }.filter {
            !["#000000", "#b0b0b0", "#ffffff"].contains($0)
        }
        func luminance(_ hex: String) -> Double {
            let v = Int(hex.dropFirst(), radix: 16)!
            return 0.2126 * Double(v >> 16) + 0.7152 * Double((v >> 8) & 255) + 0.0722 * Double(v & 255)
        }
        #expect(strokes.count >= 3, "\(strokes)")
        if strokes.count >= 3 {
            #expect(luminance(strokes[0]) > luminance(strokes[1]) && luminance(strokes[1]) > luminance(strokes[2]))
        }
    }
}
