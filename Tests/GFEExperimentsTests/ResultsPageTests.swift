import Foundation
import GFECore
import GFEStore
import GFETestSupport
import Testing

@testable import GFEExperiments

/// The report page (`gfe report`) built from a results folder made by hand: tables beside a reference with one
/// cell inside and one outside tolerance, mean ± sd, figures embedded (PNG as a data URI, SVG inline), an
/// experiment with stored runs and one without.
@Suite("Report page")
struct ResultsPageTests {
    /// A 1×1 PNG (the bytes only matter as bytes here).
    static let png: [UInt8] = [
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00,
        0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4, 0x89, 0x00, 0x00, 0x00,
        0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0xF8, 0xCF, 0xC0, 0xF0, 0x1F, 0x00, 0x05, 0x00, 0x01, 0xFF,
        0x89, 0x99, 0x3D, 0x1D, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82
    ]

    static let spec = """
        {"name": "exp-a", "description": "Two methods beside the paper: a headline. More words.",
         "sweep": {"axes": {"method": ["ae", "gfe"]}},
         "table": {"index": "images_seen", "columns": [
           {"name": "ae", "where": {"method": "ae"}, "metric": "test_loss_ae"},
           {"name": "gfe_amd", "where": {"method": "gfe"}, "metric": "test_loss_gfe"}]},
         "reference": {"file": "paper.csv", "key": "images_seen", "rtol": 0.05}}
        """

    static let svg = """
        <?xml version="1.0" encoding="UTF-8"?>
        <!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
        <svg xmlns="http://www.w3.org/2000/svg" width="100" height="50" viewBox="0 0 100 50">
        <clipPath id="plot-area"><rect width="100" height="50"/></clipPath>
        <script>alert(1)</script>
        <g clip-path="url(#plot-area)"><line x1="0" y1="0" x2="100" y2="50" stroke="black"/></g></svg>
        """

    /// results/exp-a: a table and a seeds table, figures; results/exp-b: a table and one stored run;
    /// results/reference: not an experiment. Specs in specs/.
    static func makeFolder() throws -> (root: String, specs: String) {
        let top = try TestPaths.temporaryFolder("gfe-results-page")
        let root = top + "/results"
        let specs = top + "/specs"
        let fm = FileManager.default
        for folder in [root + "/exp-a/figures", root + "/exp-b", root + "/reference", specs] {
            try fm.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        func write(_ path: String, _ text: String) throws {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        }
        try write(specs + "/exp-a.json", spec)
        // |0.2700 − 0.2660| = 0.004 ≤ 0.05·0.2660 = 0.0133: within; |0.3000 − 0.2098| = 0.09 > 0.0105: outside.
        try write(specs + "/paper.csv", "# the paper\nimages_seen,ae,gfe_amd\n480,0.2660,0.2098\n960,0.2618,0.1987\n")
        try write(
            root + "/exp-a/table.csv",
            "# gfe table: experiment exp-a (\(specs)/exp-a.json); 2 of 2 planned runs finished; mean and sample sd (n − 1) over seeds\n"
                + "images_seen,ae,gfe_amd\n480,0.2700,0.3000\n")
        try write(
            root + "/exp-a/table-seeds3.csv",
            "# gfe table: experiment exp-a (\(specs)/exp-a.json); 6 of 6 planned runs finished\n"
                + "images_seen,ae,ae_sd,ae_n,gfe_amd,gfe_amd_sd,gfe_amd_n\n"
                + "480,0.2712345,0.0012345,3,0.21,0.002,2\n")
        try write(root + "/exp-a/curves.csv", "run,iteration,images_seen,wall_s,metric,value\n")
        try write(
            root + "/exp-a/figures/index.md",
            """
            # Figures of experiment exp-a

            | run | label | folder |
            |---|---|---|
            | 0123456789ab | method=ae | ../0123456789ab/ |

            | file | shows |
            |---|---|
            | [loss.svg](loss.svg) | loss: labelled SVG of the PNG beside it |
            | [loss.png](loss.png) | loss against images seen, one line per method |
            | [curve.svg](curve.svg) | a curve \\| drawn inline |

            """)
        fm.createFile(atPath: root + "/exp-a/figures/loss.png", contents: Data(png))
        try write(root + "/exp-a/figures/loss.svg", svg)
        try write(root + "/exp-a/figures/loss.pdf", "%PDF-1.4\n")
        try write(root + "/exp-a/figures/curve.svg", svg)
        try write(root + "/exp-a/figures/extra.svg", svg)
        try write(
            root + "/exp-b/table.csv",
            "# gfe table: experiment exp-b (elsewhere/exp-b.json); 1 of 1 planned runs finished\n"
                + "images_seen,metric,mean,sd,n\n16,test_loss_gfe,0.5,0.01,2\n")
        try write(root + "/reference/paper-table1.csv", "images_seen,ae\n480,0.2660\n")
        try fm.createDirectory(atPath: root + "/exp-b/abcdef012345", withIntermediateDirectories: true)
        let record = RunRecord(
            status: .finished, reason: nil, experiment: "exp-b", runId: "abcdef012345", index: 0,
            label: "method=gfe", swept: JSONObject(), config: .object(JSONObject([("seed", JSONValue(7))])),
            outputs: .null, dataset: "mnist", dataFingerprint: "mnist/split-v1/" + String(repeating: "ab", count: 32),
            code: CodeVersion(
                id: "git:" + String(repeating: "1234567890", count: 4),
                gitCommit: String(repeating: "1234567890", count: 4),
                gitDirty: true, toolVersion: "0.1.0"),
            provenance: JSONObject([("cpu", .string("Test CPU 9000")), ("kernel", .string("avx2"))]),
            startTime: "2025-01-01T00:00:00Z", endTime: "2025-01-01T00:01:00Z", wallSeconds: 60,
            trainingSeconds: 50, iterations: 1, imagesSeen: 16, finalTrainLoss: 0.5, checkpoints: [])
        try write(root + "/exp-b/abcdef012345/run.json", record.json.prettyText())
        return (root, specs)
    }

    /// The `<td …>…</td>` elements of the page.
    static func cells(_ html: String) -> [String] {
        html.components(separatedBy: "<td").dropFirst().map {
            String($0.prefix { $0 != "\n" }.components(separatedBy: "</td>")[0])
        }
    }

    @Test func tablesFiguresAndProvenance() throws {
        let (root, specs) = try Self.makeFolder()
        defer { try? FileManager.default.removeItem(atPath: (root as NSString).deletingLastPathComponent) }
        let page = ResultsPage(
            root: root, specsFolder: specs, version: "0.1.0 (git abc)", generated: Date(timeIntervalSince1970: 0))
        #expect(page.experiments().map(\.name) == ["exp-a", "exp-b"])
        let html = page.html()
        #expect(html.hasPrefix("<!DOCTYPE html>") && html.contains(ResultsPage.generatorMark))
        #expect(html.contains("gfe 0.1.0 (git abc)") && html.contains("1970-01-01T00:00:00Z"))
        #expect(!html.contains("<link") && !html.contains("<script") && !html.contains("src=\"http"))
        #expect(html.contains("Two methods beside the paper: a headline. More words."))
        #expect(html.contains("<a href=\"#exp-a\">exp-a</a>"))

        // Reference: the ae cell within tolerance (unmarked), the gfe_amd cell outside (class and ✗).
        let cells = Self.cells(html)
        let ae = try #require(cells.first { $0.contains(">0.2700<") }, "\(cells)")
        #expect(ae.contains("class=\"num within\"") && !ae.contains("✗") && ae.contains("paper 0.2660"))
        let gfe = try #require(cells.first { $0.contains(">0.3000<") }, "\(cells)")
        #expect(gfe.contains("class=\"num outside\"") && gfe.contains("✗") && gfe.contains("paper 0.2098"))
        #expect(cells.filter { $0.contains("outside") }.count == 1)  // table-seeds3.csv's cells are all within
        #expect(html.contains("rtol 0.05") && html.contains("1 of 2 compared cells"))
        #expect(html.contains("Paper rows this table lacks: 960"))
        #expect(html.contains("Made by <code>gfe run \(specs)/exp-a.json --seeds 3 &amp;&amp; gfe table"))

        // Mean ± sd: the _sd and _n columns folded into their mean's cell; n noted where it is short.
        #expect(html.contains(">0.2712 ± 0.0012<"), "\(cells)")
        #expect(html.contains("0.2100 ± 0.0020 (n = 2)"))
        #expect(!html.contains("<th>ae_sd") && !html.contains("<th>sd"))
        #expect(html.contains(">0.5000 ± 0.010<"))  // the long table's mean and sd
        #expect(
            ResultsPageTable.formatted("512.3557") == "512.4" && ResultsPageTable.formatted("22.1", digits: 2) == "22")
        #expect(ResultsPageTable.formatted("49992.0") == "49992" && ResultsPageTable.formatted("0.194") == "0.1940")
        #expect(ResultsPageTable.formatted("480") == "480" && ResultsPageTable.formatted("nan") == "nan")

        // Figures: the PNG of the stem as a data URI (with the PNG's caption and links to its siblings),
        // an SVG-only figure inline without prolog, doctype or script and with its ids prefixed.
        let base64 = Data(Self.png).base64EncodedString()
        #expect(html.contains("src=\"data:image/png;base64,\(base64)\""))
        #expect(html.contains("loss against images seen, one line per method"))
        #expect(!html.contains("labelled SVG of the PNG beside it"))
        #expect(html.contains("href=\"exp-a/figures/loss.pdf\"") && html.contains("href=\"exp-a/figures/loss.svg\""))
        #expect(html.contains("a curve | drawn inline"))
        #expect(!html.contains("<?xml") && !html.contains("<!DOCTYPE svg") && !html.contains("alert(1)"))
        #expect(html.contains("id=\"exp-a-1-plot-area\"") && html.contains("url(#exp-a-1-plot-area)"))
        #expect(html.contains("id=\"exp-a-2-plot-area\""))  // extra.svg, not in the index: its name as caption
        #expect(html.contains("extra.svg"))
        #expect(html.components(separatedBy: "<figure class=\"figure\"").count - 1 == 3)
        #expect(html.contains("href=\"exp-a/curves.csv\""))

        // Provenance: none stored for exp-a (a note, no crash); exp-b's run listed.
        #expect(html.contains("no run folders are stored here"))
        #expect(html.contains("abcdef012345") && html.contains("git 1234567") && html.contains("dirty"))
        #expect(html.contains("Test CPU 9000") && html.contains("mnist/split-v1 abababab…"))
        #expect(html.contains("<details class=\"provenance\">"))
        // A spec the folder does not have: said, and a command on the spec's path.
        #expect(html.contains("No spec named exp-b found"))
    }

    @Test func writesOnlyOverItsOwnPage() throws {
        let (root, specs) = try Self.makeFolder()
        defer { try? FileManager.default.removeItem(atPath: (root as NSString).deletingLastPathComponent) }
        let page = ResultsPage(root: root, specsFolder: specs, version: "0.1.0")
        #expect(try page.write().count == 2)
        #expect(try page.write().count == 2)  // its own page is replaced
        let own = root + "/mine.html"
        try "<html>my notes</html>".write(toFile: own, atomically: true, encoding: .utf8)
        let foreign = ResultsPage(root: root, specsFolder: specs, output: own, version: "0.1.0")
        let error = try #require(throws: GFEError.self) { try foreign.write() }
        #expect(error.kind == .badInput && error.message.contains("not written by gfe report"))
        #expect(try String(contentsOfFile: own, encoding: .utf8) == "<html>my notes</html>")
        let missing = ResultsPage(root: root + "/nothing", version: "0.1.0")
        #expect(throws: GFEError.self) { try missing.write() }
    }

    @Test func commandsComeFromTheMakefileAndScript() throws {
        let commands = ReproduceCommands(repository: TestPaths.repositoryRoot)
        let spec = TestPaths.repositoryRoot + "/experiments/table1.json"
        #expect(commands.command(for: "table1", specPath: spec) == "make reproduce-table1")
        #expect(
            commands.command(for: "table1", specPath: spec, tableFile: "table-paper-seeds3.csv")
                == "make reproduce-table1 PRESET=paper SEEDS=3")
        #expect(commands.command(for: "table2-mnist", specPath: nil) == "make reproduce-table2")
        #expect(commands.command(for: "step-control", specPath: nil) == "make reproduce-beyond")
        #expect(commands.order.prefix(2) == ["table1", "table2-mnist"])
        #expect(
            commands.command(for: "mine", specPath: "x/mine.json")
                == "gfe run x/mine.json && gfe table x/mine.json && gfe plot x/mine.json")
    }
}
