import Foundation
import GFECore
import GFEStore
import GFETraining

/// Mean, sample standard deviation (n − 1) and count of a list of values.
public struct SeedStatistics: Sendable, Equatable {
    public var values: [Double]
    public var n: Int { values.count }
    /// The mean, summed in order; nil for no values.
    public var mean: Double? { values.isEmpty ? nil : values.reduce(0, +) / Double(values.count) }
    /// √(Σ(x − mean)² / (n − 1)); nil unless n ≥ 2.
    public var sd: Double? {
        guard values.count >= 2, let m = mean else { return nil }
        return (values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(values.count - 1)).squareRoot()
    }

    public init(_ values: [Double]) { self.values = values }
}

/// The tables of `gfe table`: finished runs aggregated over seeds, in the long layout (one row per swept
/// point × checkpoint × metric) or, when the spec has a `table` section, the wide pivot layout.
public struct ResultsTable: Sendable {
    public var plan: ExperimentPlan
    /// Finished runs' records by plan index.
    public var records: [Int: RunRecord]
    /// Failed runs by plan index.
    public var failed: Set<Int>

    public init(plan: ExperimentPlan, records: [Int: RunRecord], failed: Set<Int> = []) {
        self.plan = plan
        self.records = records
        self.failed = failed
    }

    /// Reads the state of every planned run from `store`.
    public init(plan: ExperimentPlan, store: RunStore) {
        var records: [Int: RunRecord] = [:]
        var failed = Set<Int>()
        for r in plan.runs {
            switch store.state(of: r.id) {
            case .finished(let record): records[r.index] = record
            case .failed: failed.insert(r.index)
            default: break
            }
        }
        self.init(plan: plan, records: records, failed: failed)
    }

    /// Checks that writing this table to `path` loses nothing: some run has finished, and a table already
    /// there was not made from more finished runs (a fresh clone has the committed tables but not the raw
    /// runs). Failures are run failures (exit 1) that say what to do.
    public func checkWrite(to path: String) throws {
        let status = "gfe status \(plan.spec.source) lists them"
        guard !records.isEmpty else {
            throw GFEError.runFailure(
                "no run of \(plan.name) has finished (\(plan.runs.count) planned, \(failed.count) failed; \(status)); "
                    + "\(path) is left as it is: run `gfe run \(plan.spec.source)` first")
        }
        if let existing = Self.finishedRuns(inTableAt: path), existing > records.count {
            throw GFEError.runFailure(
                "\(path) was made from \(existing) finished runs and only \(records.count) of \(plan.runs.count) have "
                    + "finished here (\(status)); it is left as it is: finish the runs, or write the table elsewhere "
                    + "with --output")
        }
    }

    /// The number of finished runs a table written by `gfe table` says it was made from (its first line).
    static func finishedRuns(inTableAt path: String) -> Int? {
        guard let file = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? file.close() }
        let head = String(decoding: (try? file.read(upToCount: 4096)) ?? Data(), as: UTF8.self)
        guard let first = head.split(separator: "\n").first, first.hasPrefix("# gfe table:"),
            let range = first.range(of: #"; (\d+) of \d+ planned runs finished"#, options: .regularExpression)
        else { return nil }
        return Int(first[range].dropFirst(2).prefix { $0.isNumber })
    }

    /// The sweep points (runs grouped by their swept values other than the seed), in plan order.
    public var points: [[PlannedRun]] {
        var order: [String] = []
        var groups: [String: [PlannedRun]] = [:]
        for r in plan.runs {
            let key = r.point.pointValues.map { "\($0.path)=\($0.value.canonicalText)" }.joined(separator: "\u{1}")
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(r)
        }
        return order.map { groups[$0]! }
    }

    /// Swept paths other than the seed: the point columns of the long table.
    var pointPaths: [ConfigPath] { plan.experiment.sweep.paths.filter { $0 != ConfigPath(["seed"]) } }

    /// The table the spec asks for: the pivot when it has a `table` section, the long table otherwise.
    public func table() -> CSVTable {
        if let pivot = plan.spec.table { return wide(pivot) }
        return long()
    }

    private var comments: [String] {
        [
            "gfe table: experiment \(plan.name) (\(plan.spec.source)); \(records.count) of \(plan.runs.count) planned runs "
                + "finished" + (failed.isEmpty ? "" : ", \(failed.count) failed")
                + "; mean and sample sd (n − 1) over seeds"
        ]
    }

    /// One row per swept point × checkpoint × metric: the point's swept values, images_seen, iteration,
    /// metric, mean, sd (empty when n < 2), n (finished runs with the value), planned and failed runs.
    public func long() -> CSVTable {
        let paths = pointPaths
        var table = CSVTable(
            header: paths.map(\.description) + [
                "images_seen", "iteration", "metric", "mean", "sd", "n",
                "runs_planned", "runs_failed"
            ],
            comments: comments)
        for runs in points {
            let pointCells = paths.map { path in runs[0].point.values.first { $0.path == path }?.value.shortText ?? "" }
            let planned = String(runs.count)
            let failedCount = String(runs.filter { failed.contains($0.index) }.count)
            // (images_seen, metric) → values in plan order, and the iteration of that checkpoint.
            var keys: [(seen: Int, iteration: Int, metric: String)] = []
            var values: [String: [Double]] = [:]
            for r in runs {
                guard let record = records[r.index] else { continue }
                for c in record.checkpoints {
                    for metric in c.metrics.keys.sorted() {
                        let key = "\(c.tableImagesSeen)\u{1}\(metric)"
                        if values[key] == nil { keys.append((c.tableImagesSeen, c.iteration, metric)) }
                        values[key, default: []].append(c.metrics[metric]!)
                    }
                }
            }
            if keys.isEmpty {
                table.rows.append(pointCells + ["", "", "", "", "", "0", planned, failedCount])
                continue
            }
            keys.sort { ($0.seen, $0.metric) < ($1.seen, $1.metric) }
            for k in keys {
                let s = SeedStatistics(values["\(k.seen)\u{1}\(k.metric)"]!)
                table.rows.append(
                    pointCells + [
                        String(k.seen), String(k.iteration), k.metric, Self.cell(s.mean),
                        Self.cell(s.sd), String(s.n), planned, failedCount
                    ])
            }
        }
        return table
    }

    /// The pivot: one row per index value, one column (plus `_sd` and `_n` when points have several seeds)
    /// per spec column.
    public func wide(_ pivot: TablePivot) -> CSVTable {
        let multiSeed = points.contains { $0.count > 1 }
        var header = [pivot.index.columnName]
        for c in pivot.columns { header += multiSeed ? [c.name, c.name + "_sd", c.name + "_n"] : [c.name] }
        var table = CSVTable(header: header, comments: comments)

        // The value of column c's metric in run r at row key k.
        func value(_ c: TablePivot.Column, _ r: PlannedRun, row: JSONValue?, seen: Int?, iteration: Int?) -> Double? {
            guard let record = records[r.index] else { return nil }
            switch pivot.index {
            case .imagesSeen: return record.checkpoints.first { $0.tableImagesSeen == seen }?.metrics[c.metric]
            case .iteration: return record.checkpoints.first { $0.iteration == iteration }?.metrics[c.metric]
            case .path:
                switch pivot.checkpoint {
                case .last: return record.checkpoints.last?.metrics[c.metric]
                case .imagesSeen(let n): return record.checkpoints.first { $0.tableImagesSeen == n }?.metrics[c.metric]
                }
            }
        }
        func runs(of c: TablePivot.Column, row: JSONValue?) -> [PlannedRun] {
            plan.runs.filter { r in
                guard c.matches(r.point) else { return false }
                if case .path(let p, _) = pivot.index, let row { return p.value(in: r.point.input) == row }
                return true
            }
        }

        var rowKeys: [(label: String, value: JSONValue?, seen: Int?, iteration: Int?)] = []
        switch pivot.index {
        case .imagesSeen, .iteration:
            var seen = Set<Int>()
            for c in pivot.columns {
                for r in runs(of: c, row: nil) {
                    // Planned counts too, so unfinished runs show as empty cells rather than missing rows.
                    if case .imagesSeen = pivot.index { seen.formUnion(r.config.checkpoints.imagesSeen) }
                    for cp in records[r.index]?.checkpoints ?? [] {
                        if case .imagesSeen = pivot.index {
                            seen.insert(cp.tableImagesSeen)
                        } else {
                            seen.insert(cp.iteration)
                        }
                    }
                }
            }
            for k in seen.sorted() {
                if case .imagesSeen = pivot.index {
                    rowKeys.append((String(k), nil, k, nil))
                } else {
                    rowKeys.append((String(k), nil, nil, k))
                }
            }
        case .path(let p, _):
            for v in plan.experiment.sweep.values(of: p) { rowKeys.append((v.shortText, v, nil, nil)) }
        }

        for row in rowKeys {
            var cells = [row.label]
            for c in pivot.columns {
                let s = SeedStatistics(
                    runs(of: c, row: row.value).compactMap {
                        value(c, $0, row: row.value, seen: row.seen, iteration: row.iteration)
                    })
                cells += multiSeed ? [Self.cell(s.mean), Self.cell(s.sd), String(s.n)] : [Self.cell(s.mean)]
            }
            table.rows.append(cells)
        }
        return table
    }

    static func cell(_ v: Double?) -> String { v.map { CSV.cell($0) } ?? "" }

    /// The table as aligned text for the terminal (numbers to 6 significant digits).
    public static func render(_ table: CSVTable) -> String {
        let rows =
            [table.header]
            + table.rows.map { row in
                row.map { cell -> String in
                    guard let d = Double(cell), cell.contains(".") || cell.contains("e") else { return cell }
                    return String(format: "%.6g", d)
                }
            }
        return align(rows)
    }

    /// Left-aligned columns separated by two spaces.
    public static func align(_ rows: [[String]]) -> String {
        guard let first = rows.first else { return "" }
        var widths = [Int](repeating: 0, count: first.count)
        for r in rows { for (i, c) in r.enumerated() where i < widths.count { widths[i] = max(widths[i], c.count) } }
        return rows.map { r in
            r.enumerated().map { i, c in
                i == r.count - 1 ? c : c.padding(toLength: widths[i], withPad: " ", startingAt: 0)
            }
            .joined(separator: "  ")
        }.joined(separator: "\n")
    }
}
