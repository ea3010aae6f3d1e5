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
        // Every figure in three formats, listed once in index.md with a link to each.
        for stem in [
            "validation_loss-vs-iteration", "test_loss-vs-images_seen", "reconstructions", "tsne-16", "tsne-32",
            path.components(separatedBy: "/").last!.replacingOccurrences(of: ".csv", with: "")
        ] {
            for format in ["png", "svg", "pdf"] {
                #expect(files.contains("\(stem).\(format)"), "missing \(stem).\(format) in \(files.sorted())")
                #expect(index.contains("(\(stem).\(format))"), "index.md does not link \(stem).\(format)")
            }
        }
        for name in files where name.hasSuffix(".svg") {
            #expect(Self.wellFormedXML(folder + "/" + name), "\(name) is not well-formed")
        }
        let png = try #require(FileManager.default.contents(atPath: folder + "/reconstructions.png"))
        #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        #expect(FileManager.default.contents(atPath: folder + "/reconstructions.pdf")?.prefix(5) == Data("%PDF-".utf8))
        // The reconstruction grid names its rows (text stays text in the SVG): the test images, then each
        // configuration's evaluations, and a panel per checkpoint.
        let grid = try String(contentsOfFile: folder + "/reconstructions.svg", encoding: .utf8)
        for label in [
            "test images", "AE (32 images)", "AE, ae_decoder_amd (16 images)", "GFE-amd (32 images)",
            "(a) after 16 images", "(b) after 32 images"
        ] {
            #expect(grid.contains(label), "no label \(label)")
        }
        // The table as a figure, each column by its label (smoke has no paper values to draw beside it).
        let tableFigure = try String(
            contentsOfFile: folder + "/"
                + path.components(separatedBy: "/").last!.replacingOccurrences(of: ".csv", with: ".svg"),
            encoding: .utf8)
        for label in ["GFE-amd, ours", "AE, ours", "AE decoder, AMD-encoded, ours"] {
            #expect(tableFigure.contains(label), "no legend entry \(label)")
        }
        // The t-SNE maps: a panel per configuration, a legend of the classes.
        let map = try String(contentsOfFile: folder + "/tsne-32.svg", encoding: .utf8)
        #expect(map.contains(">AE<") && map.contains(">GFE-amd<") && map.contains(">class<"), "t-SNE map")

        // Plotting again without the maps keeps them, and their lines in index.md: nothing drawn is lost.
        let again = try CLI.gfe(["plot"] + arguments + ["--no-tsne"])
        #expect(again.status == 0, "\(again.err)")
        let reindexed = try String(contentsOfFile: folder + "/index.md", encoding: .utf8)
        for format in ["png", "svg", "pdf"] {
            #expect(FileManager.default.fileExists(atPath: folder + "/tsne-32." + format), "tsne-32.\(format) was lost")
            #expect(reindexed.contains("(tsne-32.\(format))"), "index.md lost tsne-32.\(format)")
        }
    }
}
