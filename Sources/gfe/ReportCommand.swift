import ArgumentParser
import GFECore
import GFEExperiments
import GFEStore

/// `gfe report`: every experiment's tables, figures and provenance on one self-contained HTML page.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write <results>/index.html: every experiment's tables, figures and run provenance on one page.",
        discussion: """
            One self-contained HTML file that opens from disk (no network; images inside it). For every folder of \
            the results root with a table (table*.csv) or figures: the spec's description, the command that \
            reproduces it, each table with the paper's values beside ours where the spec has a "reference" (cells \
            outside its tolerance marked), the figures listed in figures/index.md, and the stored runs' \
            provenance (run.json). Only a page gfe report wrote is replaced. make reproduce-* refreshes it. \
            First it fills in <results>/REPORT.md's marked tables and numbers from the committed tables \
            (<!-- gfe:table … --> and <!-- gfe:cell … --> markers; docs/results.md, "Report page").
            """)

    @Option(help: "The results root (default: results).")
    var results: String = "results"

    @Option(help: "The folder of the experiment specs (default: experiments/ beside the results root).")
    var specs: String?

    @Option(help: "Write the page here instead of <results>/index.html.")
    var output: String?

    func validate() throws {
        if results.isEmpty { throw ValidationError("--results is empty; give the results folder (default: results)") }
    }

    func run() throws {
        let page = ResultsPage(
            root: results, specsFolder: specs, output: output,
            version: CodeVersion.versionLine(toolVersion: GFE.version))
        try page.checkRoot()
        try AtomicFile.checkOutput(page.output, inputs: [], outputOption: "--output")
        // REPORT.md's marked numbers first, so the page's link leads to a report that agrees with its tables.
        let report = results + "/REPORT.md"
        if let text = try? String(contentsOfFile: report, encoding: .utf8) {
            let filled = try ReportNumbers.fill(text, root: results, source: report)
            if filled.text != text { try AtomicFile.write(filled.text, to: report) }
            say(
                "\(report): \(filled.tables) tables and \(filled.cells) numbers from the committed tables"
                    + (filled.text == text ? " (unchanged)" : " (updated)"))
        }
        let experiments = try page.write()
        say("\(experiments.count) experiment\(experiments.count == 1 ? "" : "s") → \(page.output)")
    }
}
