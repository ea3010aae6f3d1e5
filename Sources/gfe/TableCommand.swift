import ArgumentParser
import GFECore
import GFEExperiments
import GFEStore
import GFETraining

/// `gfe table SPEC`: aggregate the finished runs into <results>/<experiment>/table.csv.
struct TableCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "table",
        abstract:
            "Aggregate an experiment's finished runs into <results>/<experiment>/table.csv (mean, sd, n over seeds).",
        discussion: """
            Without a "table" section in the spec: one row per swept point × checkpoint × metric. With one: the \
            wide layout it describes (like the reference tables). --diff then compares it with the spec's \
            "reference" (exit 1 when a cell is outside tolerance).
            """)

    @OptionGroup var experiment: ExperimentArguments

    @Option(
        help:
            "Write the table here instead of <results>/<experiment>/table.csv (table-<hash>.csv with --set or --seeds)."
    )
    var output: String?

    @Flag(help: "Compare the table with the spec's reference (see gfe diff).")
    var diff = false

    @Flag(
        help:
            "Print the table as JSON (columns, and one object per row with numbers as numbers and empty cells as null) instead of aligned text; the CSV is written as usual."
    )
    var json = false

    func run() throws {
        if let output {
            try AtomicFile.checkOutput(output, inputs: [("the spec", experiment.spec)], outputOption: "--output")
        }
        let session = try experiment.open()
        let results = ResultsTable(plan: session.plan, store: session.store)
        let table = results.table()
        let path = output ?? session.store.tablePath(overrides: experiment.overrides, seeds: experiment.seeds)
        try results.checkWrite(to: path)
        if output == nil { try session.store.prepare() }
        try CSV.write(table, to: path)
        if json {
            say(
                Self.json(
                    table, experiment: session.plan.name, path: path, finished: results.records.count,
                    planned: session.plan.runs.count
                ).prettyText())
        } else {
            say(ResultsTable.render(table))
            say("\(results.records.count) of \(session.plan.runs.count) runs finished → \(path)")
        }
        guard diff else {
            if let r = session.plan.spec.reference, !json {
                say("compare: gfe diff \(path) \(r.file) --key \(r.key.joined(separator: ","))   (or gfe table --diff)")
            }
            return
        }
        guard let reference = session.plan.spec.reference else {
            throw GFEError.badInput(
                "--diff needs a \"reference\" section in the spec \(session.plan.spec.source) (docs/specs.md)")
        }
        let comparison = try CSVDiff.compare(
            result: try CSV.read(path), reference: try reference.selectRows(of: try CSV.read(reference.file)),
            key: reference.key, columns: reference.columns, tolerance: reference.tolerance)
        say("")
        say("against \(reference.file):")
        say(comparison.report)
        if !comparison.passed { throw ExitCode(1) }
    }

    /// The table as JSON (cells as `RunsListing.jsonRows` gives them).
    static func json(_ table: CSVTable, experiment: String, path: String, finished: Int, planned: Int) -> JSONValue {
        let rows = RunsListing.jsonRows(table)
        return .object(
            JSONObject([
                ("experiment", .string(experiment)), ("path", .string(path)), ("finished", JSONValue(finished)),
                ("planned", JSONValue(planned)), ("columns", .array(table.header.map(JSONValue.string))),
                ("rows", .array(rows))
            ]))
    }
}
