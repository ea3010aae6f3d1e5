import Foundation
import GFEStore
import Testing

#if canImport(FoundationXML)
import FoundationXML
#endif

/// The repository's smoke spec (the Table 1 pipeline on a slice) end to end through the built `gfe`, made
/// smaller still with --set: run, table, and `gfe plot` writing every kind of figure (curves, labelled
/// reconstruction grids, t-SNE maps) with an index that lists each file.
@Suite(.serialized) struct SmokePlotCLITests {
    typealias CLI = ExperimentCLI

    static let shrink = [
        "--set", "budget.imagesSeen=32", "--set", "checkpoints.imagesSeen=[16,32]",
        "--set", "data.trainLimit=32", "--set", "data.testLimit=16", "--set", "validation.every=1"
    ]

    static func wellFormedXML(_ path: String) -> Bool {
        guard let data = FileManager.default.contents(atPath: path) else { return false }
        return XMLParser(data: data).parse()
    }

    @Test func smokeSpecRunsTabulatesAndPlots() throws {
        let spec = CLI.repositoryRoot + "/experiments/smoke.json"
        let arguments = [spec, "--results", CLI.results] + Self.shrink
        let run = try CLI.gfe(["run"] + arguments)
        #expect(run.status == 0, "\(run.out)\n\(run.err)")
        let table = try CLI.gfe(["table"] + arguments)
        #expect(table.status == 0, "\(table.err)")
        // The shrinking overrides make it a table of its own (table-<hash>.csv), named on the last line.
        let path = try #require(table.out.components(separatedBy: "→ ").last?.trimmingCharacters(in: .newlines))
        #expect(path.hasPrefix("\(CLI.results)/smoke/table-"), "\(table.out)")
        let csv = try CSV.read(path)
        #expect(csv.header == ["images_seen", "ae", "gfe_amd", "ae_decoder_amd_encoded"])
        #expect(try csv.column("images_seen") == ["16", "32"])
        #expect(try csv.doubles("gfe_amd").allSatisfy { $0 > 0 && $0 < 1 })

        let plot = try CLI.gfe(["plot"] + arguments + ["--tsne-iterations", "250", "--perplexity", "5"])
        #expect(plot.status == 0, "\(plot.out)\n\(plot.err)")
        let folder = "\(CLI.results)/smoke/figures"
        let files = Set(try FileManager.default.contentsOfDirectory(atPath: folder))
        let index = try String(contentsOfFile: folder + "/index.md", encoding: .utf8)
        for name in [
            "validation_loss-vs-iteration.svg", "test_loss-vs-images_seen.svg",
            "reconstructions-mnist-test-16.png", "reconstructions-mnist-test-32.svg"
        ] {
            #expect(files.contains(name), "missing \(name) in \(files.sorted())")
            #expect(index.contains("(\(name))"), "index.md does not list \(name)")
        }
        let maps = files.filter { $0.hasPrefix("tsne-") && $0.hasSuffix(".svg") }
        #expect(maps.count == 4, "\(files.sorted())")  // two runs × two checkpoints
        for name in files where name.hasSuffix(".svg") {
            #expect(Self.wellFormedXML(folder + "/" + name), "\(name) is not well-formed")
        }
        let png = try #require(FileManager.default.contents(atPath: folder + "/reconstructions-mnist-test-32.png"))
        #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        // The labelled grid names its rows: the test images, then each run's evaluations.
        let labelled = try String(contentsOfFile: folder + "/reconstructions-mnist-test-32.svg", encoding: .utf8)
        for label in ["test images", "method=ae, ae ", "method=ae, ae_decoder_amd", "method=gfe, gfe"] {
            #expect(labelled.contains(label), "no row label \(label)")
        }
    }
}
