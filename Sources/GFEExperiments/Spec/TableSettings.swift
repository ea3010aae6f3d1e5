import Foundation
import GFECore
import GFEStore
import GFETraining

/// The optional wide layout of an experiment's table (spec field `table`): one row per index value and one
/// column per named selection of runs and metric, shaped like the reference tables so `gfe diff` compares
/// them directly.
///
///     "table": {"index": "images_seen",
///               "columns": [{"name": "ae", "where": {"method": "ae"}, "metric": "test_loss_ae"},
///                           {"name": "gfe_amd", "where": {"method": "gfe"}, "metric": "test_loss_gfe"}]}
public struct TablePivot: Sendable, Equatable {
    public enum Index: Sendable, Equatable {
        /// Rows by checkpoint: the images-seen count each checkpoint asked for.
        case imagesSeen
        /// Rows by checkpoint iteration.
        case iteration
        /// Rows by the values of a swept field, written in the column `name`; cells take one checkpoint
        /// (`TablePivot.checkpoint`).
        case path(ConfigPath, name: String)

        public var columnName: String {
            switch self {
            case .imagesSeen: "images_seen"
            case .iteration: "iteration"
            case .path(_, let name): name
            }
        }
    }

    /// Which checkpoint a cell takes when the index is a swept field.
    public enum CheckpointChoice: Sendable, Equatable {
        case last
        case imagesSeen(Int)
    }

    public struct Column: Sendable, Equatable {
        public var name: String
        /// Swept fields and the value each must have (the seed is never given: cells average over seeds).
        public var conditions: [SweepValue]
        /// A metric of `RunMetrics` (e.g. `test_loss_gfe`).
        public var metric: String
        /// Where the column is written in the spec, for messages.
        public var location: String
        /// Its name in figures (spec field `label`; the CSV name when not given).
        public var label: String
    }

    public var index: Index
    public var columns: [Column]
    public var checkpoint: CheckpointChoice = .last

    static let fields = ["index", "columns", "checkpoint"]
    static let columnFields = ["name", "where", "metric", "label"]

    static func read(_ value: JSONValue?, sweep: Sweep, source: String) throws -> TablePivot? {
        guard let value, value != .null else { return nil }
        let r = try SpecReader(value, at: "$.table", source: source, allowed: fields)
        let sweptPaths = sweep.paths.filter { $0 != ConfigPath(["seed"]) }
        let sweptNames = sweptPaths.map(\.description)
        let indexChoices = ["images_seen", "iteration"]

        func sweptPath(_ text: String, at location: String) throws -> ConfigPath {
            let path = try ConfigPath(parsing: text, what: "\(source): \(location)")
            guard sweptPaths.contains(path) else {
                let hint =
                    sweptNames.isEmpty
                    ? "the spec sweeps no field but the seed"
                    : "swept fields are " + sweptNames.map { "'\($0)'" }.joined(separator: ", ")
                throw r.problem(
                    location, "'\(text)' is not a swept field\(didYouMean(text, among: sweptNames)); \(hint)")
            }
            return path
        }

        var index = Index.imagesSeen
        switch r["index"] {
        case nil: break
        case .string(let s)?:
            if s == "images_seen" {
                index = .imagesSeen
            } else if s == "iteration" {
                index = .iteration
            } else {
                guard sweptNames.contains(s) else {
                    throw r.problem(
                        r.at("index"),
                        "\"\(s)\" is not an index\(didYouMean(s, among: indexChoices + sweptNames)); "
                            + "expected \"images_seen\", \"iteration\" or a swept field"
                            + (sweptNames.isEmpty
                                ? "" : " (" + sweptNames.map { "'\($0)'" }.joined(separator: ", ") + ")"))
                }
                let path = try sweptPath(s, at: r.at("index"))
                index = .path(path, name: path.components.last ?? s)
            }
        case .object(let o)?:
            let ir = try SpecReader(.object(o), at: r.at("index"), source: source, allowed: ["path", "as"])
            guard let p = try ir.string("path") else { throw ir.problem(ir.location, "needs \"path\": a swept field") }
            let path = try sweptPath(p, at: ir.at("path"))
            index = .path(path, name: try ir.string("as") ?? path.components.last!)
        case let other?:
            throw r.wrongType(
                r.at("index"), other, "\"images_seen\", \"iteration\", a swept field, or {\"path\": …, \"as\": …}")
        }

        var checkpoint = CheckpointChoice.last
        if let c = r["checkpoint"] {
            if c.stringValue == "last" {
                checkpoint = .last
            } else if let n = c.intValue, n >= 1 {
                checkpoint = .imagesSeen(n)
            } else {
                throw r.wrongType(r.at("checkpoint"), c, "\"last\" or an images-seen count of a checkpoint")
            }
        }

        guard let items = try r.array("columns", "an array of columns {\"name\", \"where\", \"metric\"}"),
            !items.isEmpty
        else {
            throw r.problem(
                r.at("columns"), "is missing or empty; list at least one column {\"name\", \"where\", \"metric\"}")
        }
        var columns: [Column] = []
        for (c, item) in items.enumerated() {
            let at = JSONPath.index(r.at("columns"), c)
            let cr = try SpecReader(item, at: at, source: source, allowed: columnFields)
            guard let name = try cr.string("name"), !name.isEmpty else {
                throw cr.problem(cr.at("name"), "every column needs a non-empty \"name\" (its CSV header)")
            }
            if name == index.columnName || columns.contains(where: { $0.name == name }) {
                throw cr.problem(cr.at("name"), "the column name \"\(name)\" is used twice")
            }
            guard let metric = try cr.string("metric") else {
                throw cr.problem(
                    cr.at("metric"), "is missing; name a metric such as \"test_loss_gfe\" (see docs/results.md)")
            }
            var conditions: [SweepValue] = []
            if let w = try cr.objectValue("where", "an object mapping swept fields to one of their values") {
                for (key, v) in w.pairs {
                    let location = JSONPath.child(cr.at("where"), key)
                    let path = try sweptPath(key, at: location)
                    if case .path(let ip, _) = index, ip == path {
                        throw cr.problem(location, "'\(key)' is the table's index; a column cannot fix it")
                    }
                    let values = sweep.values(of: path)
                    guard values.contains(v) else {
                        let names = values.map(\.shortText)
                        throw cr.problem(
                            location,
                            "\(v.canonicalText.clipped) is not among the swept values of '\(key)'"
                                + "\(didYouMean(v.shortText, among: names)); they are " + names.joined(separator: ", "))
                    }
                    conditions.append(SweepValue(path: path, value: v, location: location))
                }
            }
            let label = try cr.string("label")
            if let label, !label.contains(where: { !$0.isWhitespace }) {
                throw cr.problem(cr.at("label"), "is empty; give the column's name in figures, e.g. \"GFE-amd\"")
            }
            columns.append(
                Column(name: name, conditions: conditions, metric: metric, location: at, label: label ?? name))
        }
        return TablePivot(index: index, columns: columns, checkpoint: checkpoint)
    }
}

/// Tolerances of a comparison: a cell is within tolerance when |value − reference| ≤ atol + rtol·|reference|
/// (numpy's `isclose`), with rtol taken from `columnRtol` for the columns named there.
public struct DiffTolerance: Sendable, Equatable {
    public var rtol: Double
    public var atol: Double
    public var columnRtol: [String: Double]

    /// numpy.isclose's defaults.
    public init(rtol: Double = 1e-5, atol: Double = 1e-8, columnRtol: [String: Double] = [:]) {
        self.rtol = rtol
        self.atol = atol
        self.columnRtol = columnRtol
    }

    public func rtol(for column: String) -> Double { columnRtol[column] ?? rtol }

    /// The largest |value − reference| allowed for `reference` in `column`.
    public func allowance(column: String, reference: Double) -> Double { atol + rtol(for: column) * abs(reference) }
}

/// The reference a spec's table is compared with (spec field `reference`), used by `gfe table --diff`.
///
///     "reference": {"file": "../results/reference/paper-table1.csv", "key": "images_seen",
///                   "columns": ["ae", "gfe_amd"], "rtol": 0.05, "tol": {"ae": 0.1}}
public struct ReferenceSettings: Sendable, Equatable {
    /// The reference CSV, resolved against the spec file's folder.
    public var file: String
    public var key: [String]
    /// The columns compared (nil: every column both tables have).
    public var columns: [String]?
    public var tolerance: DiffTolerance
    /// The reference rows compared, by the value of a one-column key (nil: every row). For a spec that
    /// reproduces one row of a larger table, e.g. `"rows": ["mnist"]` of Table 2.
    public var rows: [String]?

    static let fields = ["file", "key", "columns", "rtol", "atol", "tol", "rows"]

    /// The reference table restricted to `rows`; a listed row the file does not have is an error.
    public func selectRows(of table: CSVTable) throws -> CSVTable {
        guard let rows else { return table }
        let k = try table.columnIndex(key[0])
        var out = table
        out.rows = table.rows.filter { rows.contains($0[k].trimmingCharacters(in: .whitespaces)) }
        out.rowLines =
            table.rowLines.isEmpty
            ? []
            : table.rows.indices
                .filter { rows.contains(table.rows[$0][k].trimmingCharacters(in: .whitespaces)) }.map {
                    table.rowLines[$0]
                }
        let present = Set(out.rows.map { $0[k].trimmingCharacters(in: .whitespaces) })
        if let absent = rows.first(where: { !present.contains($0) }) {
            throw GFEError.badInput(
                "reference \(table.source) has no row with \(key[0]) = \(absent) (spec field \"rows\"); "
                    + "its rows: " + table.rows.map { $0[k] }.joined(separator: ", "))
        }
        return out
    }

    static func read(_ value: JSONValue?, folder: String, source: String) throws -> ReferenceSettings? {
        guard let value, value != .null else { return nil }
        let r = try SpecReader(value, at: "$.reference", source: source, allowed: fields)
        guard let file = try r.string("file"), !file.isEmpty else {
            throw r.problem(r.at("file"), "is missing; give the reference CSV's path (relative to the spec's folder)")
        }
        func names(_ key: String, _ what: String = "a column name or a non-empty array of column names") throws
            -> [String]?
        {
            guard let v = r[key] else { return nil }
            if case .string(let s) = v { return [s] }
            guard case .array(let a) = v, !a.isEmpty, a.allSatisfy({ $0.stringValue != nil }) else {
                throw r.wrongType(r.at(key), v, what)
            }
            return a.map { $0.stringValue! }
        }
        guard let key = try names("key") else {
            throw r.problem(r.at("key"), "is missing; name the column(s) that identify a row, e.g. \"images_seen\"")
        }
        let rule = "a non-negative number"
        var tolerance = DiffTolerance()
        if let v = try r.double("rtol", rule, { $0.isFinite && $0 >= 0 }) { tolerance.rtol = v }
        if let v = try r.double("atol", rule, { $0.isFinite && $0 >= 0 }) { tolerance.atol = v }
        if let t = try r.objectValue("tol", "an object mapping column names to relative tolerances") {
            for (column, v) in t.pairs {
                guard let d = v.doubleValue, d.isFinite, d >= 0 else {
                    throw r.wrongType(JSONPath.child(r.at("tol"), column), v, rule)
                }
                tolerance.columnRtol[column] = d
            }
        }
        let rows = try names(
            "rows", "a key value or a non-empty array of key values, as text (e.g. [\"mnist\"], [\"480\"])")
        if rows != nil && key.count != 1 {
            throw r.problem(
                r.at("rows"), "selects rows by the value of a one-column key; this key has \(key.count) columns")
        }
        let path = file.hasPrefix("/") ? file : (folder.isEmpty ? file : folder + "/" + file)
        return ReferenceSettings(file: path, key: key, columns: try names("columns"), tolerance: tolerance, rows: rows)
    }
}
