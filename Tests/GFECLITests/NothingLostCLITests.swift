import Foundation
import GFECore
import GFEData
import GFETestSupport
import Testing

/// No command overwrites an input or a result with less, and a refused command writes nothing (issue 13).
@Suite struct NothingLostCLITests {
    typealias CLI = ExperimentCLI

    static func checksum(_ path: String) throws -> String {
        Checksum.sha256(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
    }

    /// `gfe encode --out` naming the checkpoint (or the images' file) is refused; the checkpoint is intact.
    @Test func encodeNeverWritesOverItsInput() throws {
        try TestPaths.withTemporaryFolder("gfe-nothing-lost") { folder in
            let checkpoint = folder + "/c.h5"
            try FileManager.default.copyItem(atPath: EncodeFixtureTests.fixture, toPath: checkpoint)
            let before = try Self.checksum(checkpoint)
            for out in [checkpoint, folder + "/./c.h5", folder + "/../\((folder as NSString).lastPathComponent)/c.h5"] {
                let run = try CLI.gfe([
                    "encode", "--checkpoint", checkpoint, "--group", "decoder_init", "--images",
                    "\(checkpoint):/batch/x",
                    "--out", out
                ])
                #expect(run.status == 2, "\(run.err)")
                #expect(run.err.contains("--out \(out) is the file --checkpoint reads"), "\(run.err)")
            }
            #expect(try Self.checksum(checkpoint) == before)
        }
    }

    /// `gfe table` with no finished run (a fresh clone has the committed table, not the raw runs) refuses
    /// and leaves the table as it is; so does a table of fewer finished runs than the one already there.
    @Test func tableNeverReplacesATableWithLess() throws {
        let spec = try CLI.spec("nothing-lost", #"{"base": {"budget": {"iterations": 1}}, "seeds": [1, 2]}"#)
        let results = CLI.workspace + "/nothing-lost-results"
        let table = results + "/nothing-lost/table.csv"
        try FileManager.default.createDirectory(
            atPath: results + "/nothing-lost", withIntermediateDirectories: true)
        let committed = "# gfe table: experiment nothing-lost (x); 2 of 2 planned runs finished\nk,v\n1,0.5\n"
        try committed.write(toFile: table, atomically: true, encoding: .utf8)
        let none = try CLI.gfe(["table", spec, "--results", results])
        #expect(none.status == 1, "\(none.err)")
        #expect(none.err.contains("no run of nothing-lost has finished") && none.err.contains("is left as it is"))
        #expect(try String(contentsOfFile: table, encoding: .utf8) == committed)
    }

    /// A results root that is a file, and an --index beyond the plan: clear refusals, nothing written.
    @Test func badPlacesAndIndicesAreRefusedBeforeAnythingIsWritten() throws {
        try TestPaths.withTemporaryFolder("gfe-nothing-lost") { folder in
            let spec = try CLI.spec("bad-places", #"{"base": {"budget": {"iterations": 1}}}"#)
            let file = folder + "/results-file"
            try "x".write(toFile: file, atomically: true, encoding: .utf8)
            let onFile = try CLI.gfe(["run", spec, "--results", file])
            #expect(onFile.status == 2)
            #expect(onFile.err.contains("\(file) is a file, not a folder"), "\(onFile.err)")
            let results = folder + "/results"
            let index = try CLI.gfe(["run", spec, "--index", "99", "--results", results])
            #expect(
                index.status == 2 && index.err.contains("--index 99: the plan of bad-places has 1 run"), "\(index.err)")
            #expect(!FileManager.default.fileExists(atPath: results))
        }
    }

    /// Output paths that are not a plain new or regular file (a pipe, a symbolic link, a folder, nothing), a
    /// file of a stored run, or the spec itself are refused up front (exit 2), and nothing there changes.
    @Test func outputsThatWouldReplaceSomethingElseAreRefused() throws {
        try TestPaths.withTemporaryFolder("gfe-nothing-lost") { folder in
            let checkpoint = folder + "/c.h5"
            try FileManager.default.copyItem(atPath: EncodeFixtureTests.fixture, toPath: checkpoint)
            let pipe = folder + "/pipe"
            #expect(mkfifo(pipe, 0o600) == 0)
            let link = folder + "/link.h5"
            try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: folder + "/elsewhere.h5")
            let runFolder = folder + "/results/x/0123456789ab"
            try FileManager.default.createDirectory(atPath: runFolder, withIntermediateDirectories: true)
            try "{}".write(toFile: runFolder + "/run.json", atomically: true, encoding: .utf8)
            for (out, message) in [
                (pipe, "is not a regular file"), (link, "is not a regular file"), (folder, "is a folder"),
                ("", "--out is empty"), (runFolder + "/run.h5", "inside the folder of a stored run")
            ] {
                let run = try CLI.gfe([
                    "encode", "--checkpoint", checkpoint, "--group", "decoder_init", "--images",
                    "\(checkpoint):/batch/x", "--out", out
                ])
                #expect(run.status == 2 && run.err.contains(message), "\(out): \(run.err)")
            }
            var info = stat()
            #expect(lstat(pipe, &info) == 0 && (info.st_mode & S_IFMT) == S_IFIFO, "the pipe is still a pipe")
            #expect(lstat(link, &info) == 0 && (info.st_mode & S_IFMT) == S_IFLNK, "the link is still a link")
            #expect(!FileManager.default.fileExists(atPath: runFolder + "/run.h5"))

            let spec = try CLI.spec("output-spec", #"{"base": {"budget": {"iterations": 1}}}"#)
            let text = try String(contentsOfFile: spec, encoding: .utf8)
            let table = try CLI.gfe(["table", spec, "--output", spec, "--results", folder + "/results"])
            #expect(table.status == 2 && table.err.contains("is the file the spec reads"), "\(table.err)")
            #expect(try String(contentsOfFile: spec, encoding: .utf8) == text)
        }
    }

    /// Values that pass their own range but not together, or that name nothing: refused by resolve.
    @Test func combinationsAndEmptyNamesAreRefused() throws {
        let spec = try CLI.spec("refusals", #"{"base": {"budget": {"iterations": 1}}}"#)
        for (arguments, message) in [
            (["--set", "encoder.tau=1e9"], "tau / maxStep must be at most 10,000,000"),
            (["--set", "encoder.maxStep=1e-300"], "tau / maxStep must be at most 10,000,000"),
            (["--set", #"checkpoints.evaluations=["gfe","gfe"]"#], "names 'gfe' twice"),
            (["--results", ""], "--results is empty")
        ] {
            let r = try CLI.gfe(
                ["resolve", spec] + (arguments.first == "--results" ? [] : ["--results", CLI.results]) + arguments)
            #expect(r.status == 2 && r.err.contains(message), "\(arguments): \(r.err)")
        }
        let csv = try CLI.file("refusals.csv", "k,v\n1,2\n")
        for key in ["", "k,k"] {
            let diff = try CLI.gfe(["diff", csv, csv, "--key", key])
            #expect(diff.status == 2, "--key '\(key)': \(diff.err)")
        }
        // A negative value after an option is that option's value, and its own check names it.
        let negative = try CLI.gfe(["run", spec, "--jobs", "-1", "--results", CLI.results])
        #expect(negative.status == 2 && negative.err.contains("--jobs must be at least 1, got -1"), "\(negative.err)")
        let huge = try CLI.gfe([
            "evaluate", "--init-seed", "1", "--dataset", "mnist", "--split", "test", "--limit", "2", "--set",
            "tau=1e400"
        ])
        #expect(huge.status == 2 && huge.err.contains("the number 1e400 is too large"), "\(huge.err)")
        let rows = try CLI.spec(
            "refusals-rows",
            #"{"base": {"budget": {"iterations": 1}}, "reference": {"file": "x.csv", "key": "images_seen", "rows": [16]}}"#
        )
        let rowsRun = try CLI.gfe(["resolve", rows, "--results", CLI.results])
        #expect(rowsRun.status == 2 && rowsRun.err.contains("key values, as text"), "\(rowsRun.err)")
        let device = try CLI.gfe(["resolve", "/dev/null"])
        #expect(device.status == 2 && device.err.contains("is not a regular file"), "\(device.err)")
    }

    /// A run folder whose run.json cannot be read is reported, and makes status exit 1.
    @Test func unreadableRunMakesStatusExitOne() throws {
        let spec = try CLI.spec("unreadable", #"{"name": "e2e-unreadable", "base": {"budget": {"iterations": 1}}}"#)
        let id = try #require(try CLI.runIds(spec).first)
        let results = CLI.workspace + "/unreadable-results"
        try FileManager.default.createDirectory(
            atPath: "\(results)/e2e-unreadable/\(id)", withIntermediateDirectories: true)
        try "{not json".write(toFile: "\(results)/e2e-unreadable/\(id)/run.json", atomically: true, encoding: .utf8)
        let status = try CLI.gfe(["status", spec, "--results", results])
        #expect(
            status.status == 1 && status.out.contains("1 unreadable (gfe run computes them again)"), "\(status.out)")
    }

    /// Figures drawn from more runs than are stored (a fresh clone holds the committed figures, not the raw
    /// runs) are left as they are.
    @Test func plotNeverReplacesFiguresWithFewerRuns() throws {
        let spec = try CLI.spec(
            "plot-fewer",
            #"{"name": "e2e-plot-fewer", "outputs": {"models": "none"}, "base": {"method": "ae", "budget": {"iterations": 1}, "data": {"trainLimit": 16, "testLimit": 4}, "checkpoints": {"atEnd": true, "evaluations": ["ae"]}}}"#
        )
        let results = CLI.workspace + "/plot-fewer-results"
        let run = try CLI.gfe(["run", spec, "--results", results])
        #expect(run.status == 0, "\(run.err)")
        let index = results + "/e2e-plot-fewer/figures/index.md"
        try FileManager.default.createDirectory(
            atPath: results + "/e2e-plot-fewer/figures", withIntermediateDirectories: true)
        let committed =
            "# Figures of experiment e2e-plot-fewer\n\nWritten by `gfe plot` from 3 of 3 planned runs (x).\n"
        try committed.write(toFile: index, atomically: true, encoding: .utf8)
        let plot = try CLI.gfe(["plot", spec, "--results", results, "--no-tsne"])
        #expect(plot.status == 1 && plot.err.contains("were drawn from 3 runs and only 1 of 1"), "\(plot.err)")
        #expect(try String(contentsOfFile: index, encoding: .utf8) == committed)
    }
}
