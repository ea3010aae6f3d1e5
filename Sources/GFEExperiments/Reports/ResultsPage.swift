import Foundation
import GFECore
import GFEStore

/// `gfe report`: every experiment under a results root on one self-contained HTML page (`results/index.html`)
/// that opens from disk — no network, no external CSS or script, every image inside it.
///
/// An experiment is a folder of the results root with a table (`table*.csv`) or a `figures/` folder. Its section
/// has the spec's description (from `<specs>/<name>.json`, or the spec its table names), the command that
/// reproduces it, each table (`ResultsPageTable`: beside the paper's values where the spec has a reference),
/// its figures (`ResultsPageFigures`) and the provenance of its stored runs (`ResultsPageProvenance`). The top
/// says when and by which `gfe --version` the page was made, lists the experiments and points to REPORT.md.
///
/// The page carries `generatorMark`; `write` replaces only a file that has it (or none), so a page of one's own
/// is never overwritten.
public struct ResultsPage: Sendable {
    /// The results root.
    public var root: String
    /// Where the specs are (default: `experiments/` beside the results root).
    public var specsFolder: String
    /// Where the page goes (default `<root>/index.html`); links are relative to its folder.
    public var output: String
    /// `gfe --version`'s line.
    public var version: String
    public var generated: Date

    public static let generatorMark = "<meta name=\"generator\" content=\"gfe report\">"

    public init(
        root: String, specsFolder: String? = nil, output: String? = nil, version: String, generated: Date = Date()
    ) {
        self.root = root
        let parent = (HTMLText.absolute(root) as NSString).deletingLastPathComponent
        self.specsFolder = specsFolder ?? parent + "/experiments"
        self.output = output ?? root + "/index.html"
        self.version = version
        self.generated = generated
    }

    /// One experiment folder with something to show.
    public struct Experiment: Sendable {
        public var name: String
        /// Table files (`table.csv` first, then the others by name).
        public var tables: [String]
        /// Other CSV files (curves, replays), linked.
        public var otherFiles: [String]
        public var hasFigures: Bool
        public var spec: ExperimentSpec?
        /// Why the spec could not be read, when a file was found.
        public var specProblem: String?
    }

    /// Refuses a results root that is not a folder (exit 2).
    public func checkRoot() throws {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isFolder) else {
            throw GFEError.badInput(
                "--results \(root): no such folder; give the results root that gfe run wrote (default: results, "
                    + "from the repository's folder)")
        }
        guard isFolder.boolValue else {
            throw GFEError.badInput("--results \(root) is a file, not a folder; give the results root")
        }
    }

    /// Refuses to replace a file that `gfe report` did not write (exit 2).
    public func checkOutput() throws {
        guard let file = FileHandle(forReadingAtPath: output) else { return }
        defer { try? file.close() }
        let head = String(decoding: (try? file.read(upToCount: 4096)) ?? Data(), as: UTF8.self)
        guard head.contains(Self.generatorMark) else {
            throw GFEError.badInput(
                "\(output) exists and was not written by gfe report; it is left as it is: remove it or give "
                    + "another --output")
        }
    }

    /// The experiments under the root, in the order scripts/reproduce.sh lists them, then by name.
    public func experiments() -> [Experiment] {
        let fm = FileManager.default
        let names = ((try? fm.contentsOfDirectory(atPath: root)) ?? []).filter { !$0.hasPrefix(".") }
        let order = commands.order
        var found: [Experiment] = []
        for name in names {
            var isFolder: ObjCBool = false
            let folder = root + "/" + name
            guard fm.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else { continue }
            let files = ((try? fm.contentsOfDirectory(atPath: folder)) ?? []).sorted()
            let tables = files.filter { $0.hasPrefix("table") && $0.hasSuffix(".csv") }.sorted {
                ($0 == "table.csv" ? 0 : 1, $0) < ($1 == "table.csv" ? 0 : 1, $1)
            }
            var figuresFolder: ObjCBool = false
            let hasFigures =
                fm.fileExists(atPath: folder + "/figures", isDirectory: &figuresFolder) && figuresFolder.boolValue
            guard !tables.isEmpty || hasFigures else { continue }
            let others = files.filter { $0.hasSuffix(".csv") && !tables.contains($0) }
            let (spec, problem) = findSpec(name, tables: tables.map { folder + "/" + $0 })
            found.append(
                Experiment(
                    name: name, tables: tables, otherFiles: others, hasFigures: hasFigures, spec: spec,
                    specProblem: problem))
        }
        return found.sorted { a, b in
            let (i, j) = (order.firstIndex(of: a.name) ?? order.count, order.firstIndex(of: b.name) ?? order.count)
            return (i, a.name) < (j, b.name)
        }
    }

    /// The spec of experiment `name`: `<specs>/<name>.json`, else the spec a table's header comment names
    /// (`gfe table: experiment NAME (PATH); …`), else any spec of the folder with that name.
    func findSpec(_ name: String, tables: [String]) -> (ExperimentSpec?, String?) {
        var candidates = [specsFolder + "/" + name + ".json"]
        for table in tables {
            guard let comment = (try? CSV.read(table))?.comments.first,
                let open = comment.range(of: "experiment \(name) ("),
                let close = comment[open.upperBound...].firstIndex(of: ")")
            else { continue }
            candidates.append(String(comment[open.upperBound..<close]))
        }
        var problem: String?
        for path in candidates where FileManager.default.fileExists(atPath: path) {
            do {
                let spec = try ExperimentSpec.load(path)
                if spec.name == name { return (spec, nil) }
            } catch {
                problem = problem ?? ResultsPageTable.message(error)
            }
        }
        let others = ((try? FileManager.default.contentsOfDirectory(atPath: specsFolder)) ?? []).filter {
            $0.hasSuffix(".json")
        }.sorted()
        for file in others {
            if let spec = try? ExperimentSpec.load(specsFolder + "/" + file), spec.name == name { return (spec, nil) }
        }
        return (nil, problem)
    }

    var commands: ReproduceCommands {
        let repository = (HTMLText.absolute(specsFolder) as NSString).deletingLastPathComponent
        return ReproduceCommands(
            repository: FileManager.default.fileExists(atPath: repository + "/Makefile") ? repository : nil)
    }

    /// The page's folder, for relative links.
    var pageFolder: String { (HTMLText.absolute(output) as NSString).deletingLastPathComponent }

    func link(_ path: String) -> String { HTMLText.href(HTMLText.relativePath(path, from: pageFolder)) }

    /// The whole page.
    public func html() -> String { html(experiments()) }

    func html(_ experiments: [Experiment]) -> String {
        let commands = commands
        let stamp = ISO8601DateFormatter.string(
            from: generated, timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withInternetDateTime])
        var out = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">\(Self.generatorMark)
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>GFE reproduction: results</title>
            <style>\(Self.style)</style></head><body>
            <header><h1>Gradient flow encoding — reproduction results</h1>
            """
        out +=
            "<p class=\"meta\">Generated \(HTMLText.escape(stamp)) by <code>gfe \(HTMLText.escape(version))</code> "
            + "from <code>\(HTMLText.escape(root))</code> (<code>gfe report</code>; <code>make reproduce-…</code> "
            + "refreshes it).</p>"
        let reportFile = root + "/REPORT.md"
        if FileManager.default.fileExists(atPath: reportFile) {
            out +=
                "<p>Discussion — our numbers beside the paper's, where and why they differ: "
                + "<a href=\"\(HTMLText.escape(link(reportFile)))\">REPORT.md</a>. This page shows the tables "
                + "and figures as they are stored.</p>"
        }
        out += "</header><nav><h2>Contents</h2><ul class=\"toc\">"
        for e in experiments {
            var parts: [String] = []
            if !e.tables.isEmpty { parts.append("\(e.tables.count) table\(e.tables.count == 1 ? "" : "s")") }
            if e.hasFigures { parts.append("figures") }
            out +=
                "<li><a href=\"#\(HTMLText.anchor(e.name))\">\(HTMLText.escape(e.name))</a> "
                + "<span class=\"unit\">\(parts.joined(separator: ", "))</span>"
                + (e.spec?.description.map { " — " + HTMLText.escape(Self.firstSentence($0)) } ?? "") + "</li>"
        }
        if experiments.isEmpty { out += "<li>No experiment under this results root has a table or figures yet.</li>" }
        out += "</ul></nav><main>"
        for e in experiments { out += section(e, commands: commands) }
        return out + "</main></body></html>\n"
    }

    func section(_ e: Experiment, commands: ReproduceCommands) -> String {
        let folder = root + "/" + e.name
        var out = "<section id=\"\(HTMLText.anchor(e.name))\"><h2>\(HTMLText.escape(e.name))</h2>"
        if let d = e.spec?.description { out += "<p class=\"description\">\(HTMLText.escape(d))</p>" }
        if let problem = e.specProblem {
            out += "<p class=\"note\">The spec could not be read: \(HTMLText.escape(problem))</p>"
        } else if e.spec == nil {
            out +=
                "<p class=\"note\">No spec named \(HTMLText.escape(e.name)) found in \(HTMLText.escape(specsFolder)).</p>"
        }
        let specPath = e.spec?.source
        out +=
            "<p class=\"command\">Reproduce: <code>"
            + HTMLText.escape(commands.command(for: e.name, specPath: specPath)) + "</code>"
            + (specPath.map {
                " · spec <a href=\"\(HTMLText.escape(link($0)))\">\(HTMLText.escape(($0 as NSString).lastPathComponent))</a>"
            } ?? "")
            + "</p>"
        var comments: [String] = []
        for table in e.tables {
            let reference = e.spec?.table != nil ? e.spec?.reference : nil
            let variant =
                table == "table.csv" ? nil : commands.command(for: e.name, specPath: specPath, tableFile: table)
            out += ResultsPageTable(path: folder + "/" + table, reference: reference, command: variant).html()
            if comments.isEmpty { comments = (try? CSV.read(folder + "/" + table))?.comments ?? [] }
        }
        if !e.otherFiles.isEmpty {
            out +=
                "<p class=\"files\">Data: "
                + e.otherFiles.map {
                    "<a href=\"\(HTMLText.escape(link(folder + "/" + $0)))\">\(HTMLText.escape($0))</a>"
                }.joined(separator: ", ") + "</p>"
        }
        if e.hasFigures {
            out += ResultsPageFigures(
                folder: folder + "/figures", link: HTMLText.relativePath(folder + "/figures", from: pageFolder),
                idPrefix: HTMLText.anchor(e.name)
            ).html()
        }
        out += ResultsPageProvenance(store: RunStore(root: root, experiment: e.name)).html(
            tableComments: comments,
            hasFigureIndex: FileManager.default.fileExists(atPath: folder + "/figures/index.md"))
        return out + "</section>"
    }

    /// Up to the first ": " or ". " (a description's headline), for the contents.
    static func firstSentence(_ text: String) -> String {
        let cut = [text.range(of: ": "), text.range(of: ". ")].compactMap { $0?.lowerBound }.min()
        return cut.map { String(text[..<$0]) } ?? text
    }

    /// Writes the page (atomically) after the checks; returns the experiments it shows.
    @discardableResult
    public func write() throws -> [Experiment] {
        try checkRoot()
        try checkOutput()
        let experiments = experiments()
        try AtomicFile.write(html(experiments), to: output)
        return experiments
    }

    static let style = """
        body{font-family:system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;margin:0 auto;\
        max-width:1100px;padding:1rem 1.5rem 4rem;color:#1d1d1f;line-height:1.45;background:#fff}\
        h1{font-size:1.6rem;margin:.5rem 0}h2{font-size:1.3rem;margin:0 0 .4rem}\
        section{border-top:2px solid #d0d7de;padding-top:1rem;margin-top:2rem}\
        code{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:.9em;background:#f3f4f6;\
        padding:0 .25em;border-radius:3px}\
        .meta,.unit,.legend,.note,.files{color:#57606a;font-size:.9rem}.unit{font-weight:normal}\
        th .unit{display:block;font-size:.75rem}\
        .note{font-style:italic}.description{margin:.2rem 0 .5rem}.command{margin:.2rem 0}\
        ul.toc{columns:2;padding-left:1.2rem}ul.toc li{break-inside:avoid;margin-bottom:.2rem}\
        .scroll{overflow-x:auto}\
        table{border-collapse:collapse;margin:.3rem 0;font-size:.9rem}\
        th,td{border:1px solid #d0d7de;padding:.25rem .5rem;vertical-align:top}\
        th{background:#f6f8fa;text-align:center}td{text-align:left}\
        td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\
        td .paper{display:block;color:#6e7781;font-size:.78rem}\
        td.outside{background:#ffebe9}td.outside .mark,.legend .mark{color:#cf222e;font-weight:bold}\
        td.within{background:#f0fff4}\
        figure{margin:1rem 0}figure.table figcaption{margin-bottom:.3rem}\
        figcaption{font-size:.9rem;color:#32383f}figcaption .file{font-weight:600;margin-right:.3rem}\
        figcaption .links{white-space:nowrap}\
        figure.figure img,figure.figure svg{max-width:100%;height:auto;display:block;border:1px solid #eaeef2}\
        figure.figure .svg{max-width:100%;overflow:hidden}\
        details.provenance{margin:.8rem 0;font-size:.9rem}details.provenance summary{cursor:pointer;color:#32383f}\
        table.runs{font-size:.8rem}table.runs td code{white-space:nowrap}table.runs td:nth-child(7){min-width:12em}
        """
}
