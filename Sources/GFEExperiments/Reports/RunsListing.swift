import GFECore
import GFEStore

/// `gfe runs`: every planned run and checkpoint in one table, so runs compare without joins by hand — one row
/// per run and checkpoint (one row for a run without any), with the run's plan index, id, state and label (its
/// configuration, `RunNames`: the spec's sweep labels, seed left out, so seeds group by it), one column
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

    /// Each run's swept values as cells, and the swept column names in plan order.
    private var sweptCells: (columns: [String], perRun: [[String: String]]) {
        var columns: [String] = []
        let perRun = status.entries.map { e -> [String: String] in
            var cells: [(String, String)] = []
            for v in e.run.point.values { Self.flatten(v.value, name: v.path.description, into: &cells) }
            for (name, _) in cells where !columns.contains(name) { columns.append(name) }
            return Dictionary(cells, uniquingKeysWith: { a, _ in a })
        }
        return (columns, perRun)
    }

    public var table: CSVTable {
        let (sweptColumns, cells) = sweptCells
        let records = status.entries.map(\.state.record)
        let metrics = Set(records.flatMap { ($0?.checkpoints ?? []).flatMap(\.metrics.keys) }).sorted()
        var table = CSVTable(
            header: ["index", "run_id", "state", "label"] + sweptColumns + ["images_seen", "iteration"] + metrics + [
                "run_wall_s", "code_version", "git_dirty"
            ],
            comments: [
                "gfe runs: experiment \(status.plan.name) (\(status.plan.spec.source)); one row per run and checkpoint"
            ])
        for (i, e) in status.entries.enumerated() {
            let record = records[i]
            let head =
                [String(e.run.index), e.run.id, status.stateWord(e), RunNames(e.run, in: status.plan).configuration]
                + sweptColumns.map { cells[i][$0] ?? "" }
            let tail = [
                record.map { CSV.cell($0.wallSeconds) } ?? "", record?.code.id ?? "",
                record?.code.gitDirty.map { String($0) } ?? ""
            ]
            let checkpoints = record?.checkpoints ?? []
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

    /// `gfe runs --curves`: every stored run's curves.csv rows (finished and failed runs), each with the run's
    /// plan index, state and swept columns, so curves of a sweep compare without joining run.json by hand.
    /// `metrics` keeps those metrics only (all when empty); a metric no run recorded is refused with the ones
    /// recorded. `every` keeps the points whose iteration is a multiple of it (per-iteration curves thinned to
    /// the validation grid, for a table small enough to commit).
    public func curves(metrics: [String], every: Int = 1) throws -> CSVTable {
        let (sweptColumns, cells) = sweptCells
        var table = CSVTable(
            header: ["index", "run_id", "state", "label"] + sweptColumns + [
                "iteration", "images_seen", "wall_s", "metric", "value"
            ],
            comments: [
                "gfe runs --curves: experiment \(status.plan.name) (\(status.plan.spec.source)); one row per run, "
                    + "curve point and metric"
            ])
        var recorded = Set<String>()
        let wanted = Set(metrics)
        for (i, e) in status.entries.enumerated() where e.state.record != nil {
            let path = status.store.runFolder(e.run.id) + "/curves.csv"
            let curves = try CSV.read(path)
            let columns = try ["iteration", "images_seen", "wall_s", "metric", "value"].map(curves.columnIndex)
            let head =
                [String(e.run.index), e.run.id, status.stateWord(e), RunNames(e.run, in: status.plan).configuration]
                + sweptColumns.map { cells[i][$0] ?? "" }
            for row in curves.rows {
                let metric = row[columns[3]]
                recorded.insert(metric)
                guard wanted.isEmpty || wanted.contains(metric), (Int(row[columns[0]]) ?? 0) % every == 0 else {
                    continue
                }
                table.rows.append(head + columns.map { row[$0] })
            }
        }
        if let missing = metrics.first(where: { !recorded.contains($0) }) {
            throw GFEError.badInput(
                "gfe runs --curves: no stored run of \(status.plan.name) records the metric '\(missing)'"
                    + (recorded.isEmpty
                        ? " (no run has curves yet)" : "; recorded: \(recorded.sorted().joined(separator: ", "))"))
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
