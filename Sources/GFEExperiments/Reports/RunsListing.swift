import GFECore
import GFEStore

/// `gfe runs`: every planned run and checkpoint in one table, so runs compare without joins by hand — one row
/// per run and checkpoint (one row for a run without any), with the run's plan index, id and state, one column
/// per swept field (an object's fields flattened to dotted columns, `encoder.method`, `encoder.steps`; the seed
/// too), the checkpoint's images seen and iteration, every checkpoint metric any run reports (losses, decoder
/// passes, CPU seconds, training seconds), and the run's wall seconds and code version.
public struct RunsListing: Sendable {
    public var status: StatusReport

    public init(plan: ExperimentPlan, store: RunStore) {
        status = StatusReport(plan: plan, store: store)
    }

    /// A swept value as cells: an object's leaves under dotted names, anything else as one cell.
    static func flatten(_ value: JSONValue, name: String, into cells: inout [(String, String)]) {
        if case .object(let object) = value {
            for key in object.keys { flatten(object[key]!, name: name + "." + key, into: &cells) }
        } else {
            cells.append((name, value.shortText))
        }
    }

    public var table: CSVTable {
        var sweptColumns: [String] = []
        var metricColumns = Set<String>()
        let perRun: [(cells: [String: String], record: RunRecord?)] = status.entries.map { e in
            var cells: [(String, String)] = []
            for v in e.run.point.values { Self.flatten(v.value, name: v.path.description, into: &cells) }
            for (name, _) in cells where !sweptColumns.contains(name) { sweptColumns.append(name) }
            let record = e.state.record
            for c in record?.checkpoints ?? [] { metricColumns.formUnion(c.metrics.keys) }
            return (Dictionary(cells, uniquingKeysWith: { a, _ in a }), record)
        }
        let metrics = metricColumns.sorted()
        var table = CSVTable(
            header: ["index", "run_id", "state"] + sweptColumns + ["images_seen", "iteration"] + metrics + [
                "run_wall_s", "code_version", "git_dirty"
            ],
            comments: [
                "gfe runs: experiment \(status.plan.name) (\(status.plan.spec.source)); one row per run and checkpoint"
            ])
        for (e, run) in zip(status.entries, perRun) {
            let head = [String(e.run.index), e.run.id, status.stateWord(e)] + sweptColumns.map { run.cells[$0] ?? "" }
            let tail = [
                run.record.map { CSV.cell($0.wallSeconds) } ?? "", run.record?.code.id ?? "",
                run.record?.code.gitDirty.map { String($0) } ?? ""
            ]
            let checkpoints = run.record?.checkpoints ?? []
            if checkpoints.isEmpty {
                table.rows.append(head + ["", ""] + metrics.map { _ in "" } + tail)
            }
            for c in checkpoints {
                table.rows.append(
                    head + [String(c.tableImagesSeen), String(c.iteration)]
                        + metrics.map { m in c.metrics[m].map(CSV.cell) ?? "" } + tail)
            }
        }
        return table
    }

    /// Rows as JSON objects: a cell that reads as a finite number is one, an empty cell is null, any other text
    /// a string (a label, or nan / inf, which JSON has no numbers for). Shared by `gfe table --json`.
    public static func jsonRows(_ table: CSVTable) -> [JSONValue] {
        table.rows.map { row in
            var object = JSONObject()
            for (name, cell) in zip(table.header, row) {
                if cell.isEmpty {
                    object[name] = .null
                } else if let number = Double(cell), number.isFinite {
                    object[name] = JSONValue(number)
                } else {
                    object[name] = .string(cell)
                }
            }
            return .object(object)
        }
    }
}
