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
}
