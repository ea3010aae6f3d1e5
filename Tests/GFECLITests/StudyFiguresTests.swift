import Foundation
import GFETestSupport
import Testing

/// scripts/study-figures.py, as `make reproduce-beyond` calls it: figures from a study's table (seed mean,
/// ± sd band), and a clear message for a table that lacks a column or a study without figures. Skipped (with a
/// note) where python3 has no matplotlib; CI installs it.
@Suite struct StudyFiguresTests {
    static let script = ExperimentCLI.repositoryRoot + "/scripts/study-figures.py"
    static let hasMatplotlib = runTool("python3", ["-c", "import matplotlib"])?.status == 0

    /// A step-control table as `gfe table` writes it: a comment line, then means with `_sd` and `_n` columns.
    static func writeTable(_ results: String, columns: [String]) throws {
        let folder = results + "/step-control"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var header = ["images_seen"]
        for c in columns { header += [c, c + "_sd", c + "_n"] }
        var lines = ["# gfe table: experiment step-control", header.joined(separator: ",")]
        for (k, images) in [960, 1920, 3840, 5760].enumerated() {
            let cells = columns.enumerated().flatMap { i, _ in
                ["\(0.2 - 0.02 * Double(k) + 0.005 * Double(i))", "0.003", "3"]
            }
            lines.append((["\(images)"] + cells).joined(separator: ","))
        }
        try (lines.joined(separator: "\n") + "\n").write(
            toFile: folder + "/table.csv", atomically: true, encoding: .utf8)
    }

    @Test func drawsAStudysFiguresFromItsTable() throws {
        guard Self.hasMatplotlib else {
            print("StudyFiguresTests: python3 has no matplotlib; skipped (make python-deps)")
            return
        }
        let results = NSTemporaryDirectory() + "gfe-study-figures-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: results) }
        try Self.writeTable(results, columns: ["b16_batch", "b16_sample", "b64_batch", "b64_sample"])
        let run = try #require(runTool("python3", [Self.script, "--results", results, "step-control"]))
        #expect(run.status == 0, "\(run.errors)")
        for ext in ["png", "pdf"] {
            let path = results + "/step-control/figures/test-loss-vs-images-seen." + ext
            let bytes = try #require(FileManager.default.contents(atPath: path), "\(path) missing")
            #expect(bytes.count > 10_000)
            #expect(bytes.prefix(4) == Data(ext == "png" ? [0x89, 0x50, 0x4E, 0x47] : Array("%PDF".utf8)))
        }
    }

    @Test func aMissingColumnOrStudyIsNamed() throws {
        guard Self.hasMatplotlib else { return }
        let results = NSTemporaryDirectory() + "gfe-study-figures-bad-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: results) }
        try Self.writeTable(results, columns: ["b16_batch", "b16_sample", "b64_batch"])
        let missing = try #require(runTool("python3", [Self.script, "--results", results, "step-control"]))
        #expect(missing.status != 0 && missing.errors.contains("has no column 'b64_sample'"), "\(missing.errors)")
        let unknown = try #require(runTool("python3", [Self.script, "--results", results, "table1"]))
        #expect(unknown.status != 0 && unknown.errors.contains("no figures for 'table1'"), "\(unknown.errors)")
        let absent = try #require(runTool("python3", [Self.script, "--results", results, "data-efficiency"]))
        #expect(absent.status != 0 && absent.errors.contains("is missing: run `gfe table"), "\(absent.errors)")
    }

    /// A curve study's figures from its curves as `gfe runs --curves` writes them: two seeds per gradient,
    /// one adjoint run failed (a cross), and a clear message when the curves or a series are missing.
    @Test func drawsACurveStudyFromItsCurves() throws {
        guard Self.hasMatplotlib else { return }
        let results = NSTemporaryDirectory() + "gfe-study-curves-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: results) }
        let folder = results + "/decoder-gradients"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let absent = try #require(runTool("python3", [Self.script, "--results", results, "decoder-gradients"]))
        #expect(absent.status != 0 && absent.errors.contains("--curves --csv"), "\(absent.errors)")

        var lines = [
            "# gfe runs --curves", "index,run_id,state,label,gradient,seed,iteration,images_seen,wall_s,metric,value"
        ]
        var index = 0
        for gradient in ["approximate", "implicit", "adjoint", "unrolled"] {
            for seed in [1, 2] {
                let failed = gradient == "adjoint" && seed == 2
                for iteration in stride(from: 0, through: failed ? 60 : 120, by: 10) {
                    let loss = 0.7 / Double(1 + iteration) + 0.08 + 0.002 * Double(seed)
                    for (metric, value) in [("validation_loss", loss), ("solve_gradient_norm", 1e-3 / Double(seed))] {
                        lines.append(
                            "\(index),r\(index),\(failed ? "failed" : "finished"),gradient=\(gradient),\(gradient),\(seed),"
                                + "\(iteration),"
                                + "\(20 * iteration),\(0.5 * Double(iteration)),\(metric),\(value)")
                    }
                }
                index += 1
            }
        }
        try (lines.joined(separator: "\n") + "\n").write(
            toFile: folder + "/curves.csv", atomically: true, encoding: .utf8)
        let run = try #require(runTool("python3", [Self.script, "--results", results, "decoder-gradients"]))
        #expect(run.status == 0, "\(run.errors)")
        for name in ["validation-loss-and-stationarity", "validation-loss-vs-seconds"] {
            for ext in ["png", "pdf"] {
                let bytes = try #require(FileManager.default.contents(atPath: "\(folder)/figures/\(name).\(ext)"))
                #expect(bytes.prefix(4) == Data(ext == "png" ? [0x89, 0x50, 0x4E, 0x47] : Array("%PDF".utf8)))
            }
        }
        // Without the unrolled runs, that series is named.
        try (lines.filter { !$0.contains(",unrolled,") }.joined(separator: "\n") + "\n").write(
            toFile: folder + "/curves.csv", atomically: true, encoding: .utf8)
        let lacking = try #require(runTool("python3", [Self.script, "--results", results, "decoder-gradients"]))
        #expect(
            lacking.status != 0 && lacking.errors.contains("no 'validation_loss' rows for {'gradient': 'unrolled'}"),
            "\(lacking.errors)")
    }
}
