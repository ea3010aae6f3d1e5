import Foundation
import GFEStore
import GFETestSupport
import Testing

/// `gfe report` end to end: a tiny spec run and tabulated through the built `gfe`, a reference with one cell
/// outside tolerance, a figure, then the page rendered by a real browser (Debian's headless chromium; CI
/// installs it): the screenshot must be a PNG of the window's size that is not blank and shows the figure's
/// colours, and the DOM chromium built must hold the table's cells and the image. Skipped with a note where
/// chromium (or python3, which decodes the screenshot) is missing.
@Suite(.serialized) struct ReportCLITests {
    typealias CLI = ExperimentCLI

    static let hasChromium = runTool("chromium", ["--version"])?.status == 0

    static let spec = """
        {
          "name": "e2e-report",
          "description": "one-step GFE beside the AE, for the report page",
          "base": {"batchSize": 8, "budget": {"iterations": 4}, "data": {"trainLimit": 32, "testLimit": 8},
                   "encoder": {"method": "oneStep"}, "checkpoints": {"imagesSeen": [16, 32]}},
          "sweep": {"axes": {"method": ["ae", "gfe"]}},
          "seeds": [1],
          "table": {"index": "images_seen", "columns": [
            {"name": "ae", "where": {"method": "ae"}, "metric": "test_loss_ae"},
            {"name": "gfe", "where": {"method": "gfe"}, "metric": "test_loss_gfe"}]},
          "reference": {"file": "e2e-report-paper.csv", "key": "images_seen", "rtol": 0.01}
        }
        """

    /// Writes a 240×120 PNG of saturated colours (red to blue) to argv[1], with the standard library only.
    static let drawPNG = """
        import struct, sys, zlib
        w, h = 240, 120
        rows = b"".join(b"\\x00" + b"".join(bytes((255 - 255 * x // w, 40, 255 * x // w)) for x in range(w)) for _ in range(h))
        def chunk(kind, data):
            return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)
        png = b"\\x89PNG\\r\\n\\x1a\\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
        png += chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
        open(sys.argv[1], "wb").write(png)
        """

    /// Decodes an 8-bit non-interlaced PNG (argv[1]) with the standard library and prints its width, height,
    /// the pixels that are not near white and the strongly coloured ones.
    static let readPNG = """
        import struct, sys, zlib
        data = open(sys.argv[1], "rb").read()
        assert data[:8] == b"\\x89PNG\\r\\n\\x1a\\n", "not a PNG"
        pos, idat = 8, b""
        while pos < len(data):
            n, kind = struct.unpack(">I4s", data[pos:pos + 8])
            body = data[pos + 8:pos + 8 + n]
            if kind == b"IHDR":
                w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
            elif kind == b"IDAT":
                idat += body
            pos += 12 + n
        assert depth == 8 and interlace == 0 and ctype in (2, 6), (depth, ctype, interlace)
        bpp = 3 if ctype == 2 else 4
        raw, stride = zlib.decompress(idat), w * bpp
        prev, nonwhite, coloured, i = bytearray(stride), 0, 0, 0
        for y in range(h):
            f, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
            i += 1 + stride
            for x in range(stride):
                a = line[x - bpp] if x >= bpp else 0
                b = prev[x]
                c = prev[x - bpp] if x >= bpp else 0
                if f == 1: line[x] = (line[x] + a) & 255
                elif f == 2: line[x] = (line[x] + b) & 255
                elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
                elif f == 4:
                    p = a + b - c
                    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                    line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
            for x in range(0, stride, bpp):
                r, g, bl = line[x], line[x + 1], line[x + 2]
                if min(r, g, bl) < 235: nonwhite += 1
                if max(r, g, bl) - min(r, g, bl) > 150: coloured += 1
            prev = line
        print(w, h, nonwhite, coloured)
        """

    /// A results root of its own: the run, its table, a reference and a figure.
    static func prepare() throws -> (root: String, page: String) {
        let root = CLI.workspace + "/report-results"
        let spec = try CLI.spec("e2e-report", Self.spec)
        let arguments = [spec, "--results", root]
        let run = try CLI.gfe(["run"] + arguments)
        #expect(run.status == 0, "\(run.out)\n\(run.err)")
        let table = try CLI.gfe(["table"] + arguments)
        #expect(table.status == 0, "\(table.err)")
        let csv = try CSV.read(root + "/e2e-report/table.csv")
        let ae = try csv.doubles("ae")
        let gfe = try csv.doubles("gfe")
        // ae within 1 % of the paper at both checkpoints; gfe 50 % off at 16 images, exact at 32.
        _ = try CLI.file(
            "e2e-report-paper.csv",
            "images_seen,ae,gfe\n16,\(ae[0] * 1.001),\(gfe[0] * 1.5)\n32,\(ae[1] * 1.001),\(gfe[1])\n")
        let figures = root + "/e2e-report/figures"
        try FileManager.default.createDirectory(atPath: figures, withIntermediateDirectories: true)
        _ = try Python.run(drawPNG, [figures + "/colours.png"])
        try "| file | shows |\n|---|---|\n| [colours.png](colours.png) | red to blue, for the browser test |\n"
            .write(toFile: figures + "/index.md", atomically: true, encoding: .utf8)
        let page = root + "/index.html"
        let report = try CLI.gfe(["report", "--results", root, "--specs", CLI.workspace + "/specs", "--output", page])
        #expect(report.status == 0 && report.out.contains("1 experiment → \(page)"), "\(report.out)\n\(report.err)")
        return (root, page)
    }

    @Test func pageRendersInHeadlessChromium() throws {
        guard Python.available else {
            print("ReportCLITests: python3 is missing; the report test is skipped")
            return
        }
        let (root, page) = try Self.prepare()
        let html = try String(contentsOfFile: page, encoding: .utf8)
        #expect(html.contains("one-step GFE beside the AE, for the report page"))
        #expect(html.components(separatedBy: "class=\"num outside\"").count - 1 == 1, "\(html)")
        #expect(html.contains("rtol 0.01"))
        guard Self.hasChromium else {
            print(
                "ReportCLITests: chromium is not installed (apt-get install chromium); the browser checks are skipped")
            return
        }
        let common = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"]
        let shot = root + "/index.png"
        let screenshot = try #require(
            runTool("chromium", common + ["--screenshot=\(shot)", "--window-size=1200,2000", "file://" + page]))
        #expect(screenshot.status == 0, "\(screenshot.errors)")
        let measured = try Python.run(Self.readPNG, [shot]).split(separator: " ").compactMap {
            Int($0.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        try #require(measured.count == 4, "\(measured)")
        #expect(measured[0] == 1200 && measured[1] == 2000, "screenshot size \(measured)")
        #expect(measured[2] > 20_000, "the screenshot is nearly blank: \(measured[2]) non-white pixels")
        #expect(measured[3] > 15_000, "the figure's colours are not on the screenshot: \(measured[3]) pixels")

        let dom = try #require(runTool("chromium", common + ["--dump-dom", "file://" + page]))
        #expect(dom.status == 0, "\(dom.errors)")
        let csv = try CSV.read(root + "/e2e-report/table.csv")
        #expect(dom.output.contains("<td class=\"num\">16</td>") && dom.output.contains("<td class=\"num\">32</td>"))
        for value in try csv.column("gfe") {
            let shown = String(format: "%#.4g", Double(value)!)
            #expect(dom.output.contains(">\(shown)</span>"), "no cell \(shown)")
        }
        #expect(dom.output.contains("class=\"num outside\"") && dom.output.contains("✗"))
        #expect(dom.output.contains("<img alt=\"red to blue, for the browser test\" src=\"data:image/png;base64,"))
        #expect(dom.output.contains("no run folders are stored here") == false)
        #expect(dom.output.contains("<details class=\"provenance\">"))
    }

    @Test func badInputIsRefused() throws {
        let missing = try CLI.gfe(["report", "--results", CLI.workspace + "/no-such-results"])
        #expect(missing.status == 2 && missing.err.contains("no such folder"), "\(missing.err)")
        let root = CLI.workspace + "/report-errors"
        try FileManager.default.createDirectory(atPath: root + "/exp", withIntermediateDirectories: true)
        try "images_seen,x\n1,2\n".write(toFile: root + "/exp/table.csv", atomically: true, encoding: .utf8)
        let mine = root + "/notes.html"
        try "<html>my own notes</html>".write(toFile: mine, atomically: true, encoding: .utf8)
        let foreign = try CLI.gfe(["report", "--results", root, "--output", mine])
        #expect(foreign.status == 2 && foreign.err.contains("not written by gfe report"), "\(foreign.err)")
        #expect(try String(contentsOfFile: mine, encoding: .utf8) == "<html>my own notes</html>")
        let folder = try CLI.gfe(["report", "--results", root, "--output", root + "/exp"])
        #expect(folder.status == 2 && folder.err.contains("is a folder"), "\(folder.err)")
        let file = try CLI.gfe(["report", "--results", root + "/exp/table.csv"])
        #expect(file.status == 2 && file.err.contains("is a file, not a folder"), "\(file.err)")
        // Its own page is replaced; the experiment without a spec or runs still gets a section.
        let first = try CLI.gfe(["report", "--results", root])
        #expect(first.status == 0, "\(first.err)")
        let again = try CLI.gfe(["report", "--results", root])
        #expect(again.status == 0 && again.out.contains("1 experiment"), "\(again.err)")
        let html = try String(contentsOfFile: root + "/index.html", encoding: .utf8)
        #expect(html.contains("no run folders are stored here"))
    }
}
