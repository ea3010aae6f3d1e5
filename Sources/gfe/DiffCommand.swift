import ArgumentParser
import GFECore
import GFEExperiments
import GFEStore
import GFETraining

/// `gfe diff RESULT.csv REFERENCE.csv --key COLS`: compare two tables cell by cell.
struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Compare a result table with a reference table cell by cell, within tolerances.",
        discussion: """
            Rows are matched by the --key columns (numbers by value: 480 matches 480.0). Compared: the --columns \
            given, or every reference column the result also has. A number is within tolerance when \
            |value − reference| ≤ atol + rtol·|reference| (numpy.isclose; --tol col=rtol sets one column's rtol); \
            other cells must be equal. '#' lines are comments. Exit status: 0 all within, 1 some cell outside, \
            2 the tables cannot be compared (a missing column or key is named).
            """)

    @Argument(help: "The result CSV (e.g. results/table1/table.csv).")
    var result: String

    @Argument(help: "The reference CSV (e.g. results/reference/paper-table1.csv).")
    var reference: String

    @Option(help: ArgumentHelp("Key column(s) identifying a row, comma-separated or repeated.", valueName: "cols"))
    var key: [String] = []

    @Option(help: ArgumentHelp("Only these columns, comma-separated or repeated.", valueName: "cols"))
    var columns: [String] = []

    @Option(help: "Relative tolerance (default 1e-5).")
    var rtol: Double = 1e-5

    @Option(help: "Absolute tolerance (default 1e-8).")
    var atol: Double = 1e-8

    @Option(help: ArgumentHelp("A column's own relative tolerance (repeatable).", valueName: "col=rtol"))
    var tol: [String] = []

    func run() throws {
        guard rtol.isFinite, rtol >= 0, atol.isFinite, atol >= 0 else {
            throw GFEError.badInput("--rtol and --atol must be non-negative numbers")
        }
        var tolerance = DiffTolerance(rtol: rtol, atol: atol)
        for item in tol {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, let v = Double(parts[1]), v.isFinite, v >= 0 else {
                throw GFEError.badInput(
                    "--tol '\(item)' must be COLUMN=RTOL with a non-negative number, e.g. --tol gfe_amd=0.1")
            }
            tolerance.columnRtol[parts[0]] = v
        }
        let split = { (items: [String]) in items.flatMap { $0.split(separator: ",").map(String.init) } }
        let keys = split(key)
        guard !keys.isEmpty else {
            throw GFEError.badInput("--key names no column; give the key columns, e.g. --key images_seen")
        }
        if let twice = keys.first(where: { k in keys.filter { $0 == k }.count > 1 }) {
            throw GFEError.badInput("--key names '\(twice)' twice; give each key column once")
        }
        let comparison = try CSVDiff.compare(
            result: try CSV.read(result), reference: try CSV.read(reference),
            key: split(key), columns: columns.isEmpty ? nil : split(columns),
            tolerance: tolerance)
        say(comparison.report)
        if !comparison.passed { throw ExitCode(1) }
    }
}
