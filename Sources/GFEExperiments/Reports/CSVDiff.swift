import Foundation
import GFECore
import GFEStore
import GFETraining

/// A comparison of a result table with a reference table, cell by cell, rows matched by key columns
/// (`gfe diff`).
///
/// Compared columns: those named, or else every non-key column of the reference that the result also has
/// (reference columns missing from the result are listed as not compared). A numeric cell is within
/// tolerance when |value − reference| ≤ atol + rtol·|reference| (`DiffTolerance`); other cells must be equal
/// as text. An empty reference cell is not compared; an empty or non-numeric result cell against a numeric
/// reference is outside tolerance. Tables that cannot be compared — a key or named column missing, a key
/// repeated, a reference row without a matching result row — are a `GFEError.badInput` naming them.
public struct CSVDiff: Sendable {
    public enum Verdict: String, Sendable {
        case within = "yes"
        case outside = "NO"
        case missing = "MISSING"
    }

    public struct Cell: Sendable {
        public var key: [String]
        public var column: String
        public var value: String
        public var reference: String
        /// value − reference, when both are numbers.
        public var difference: Double?
        /// (value − reference) / |reference|, when both are numbers and the reference is not 0.
        public var relative: Double?
        /// The largest |difference| allowed, for numeric cells.
        public var allowance: Double?
        public var verdict: Verdict
    }

    public var keyColumns: [String]
    public var columns: [String]
    public var cells: [Cell]
    /// Reference columns the result lacks (when columns were not named).
    public var notCompared: [String]
    /// Result rows whose key the reference does not have.
    public var extraRows: Int
    public var tolerance: DiffTolerance

    public var outside: Int { cells.filter { $0.verdict != .within }.count }
    public var passed: Bool { outside == 0 }

    public static func compare(
        result: CSVTable, reference: CSVTable, key: [String], columns named: [String]? = nil,
        tolerance: DiffTolerance = DiffTolerance()
    ) throws -> CSVDiff {
        guard !key.isEmpty else {
            throw GFEError.badInput("diff: give the key column(s) that identify a row, e.g. --key images_seen")
        }
        for k in key {
            for (t, name) in [(result, "result"), (reference, "reference")] where !t.header.contains(k) {
                throw GFEError.badInput(
                    "diff: the key column '\(k)' is missing from the \(name) \(t.source)"
                        + "\(didYouMean(k, among: t.header)); its columns are \(t.header.joined(separator: ", "))")
            }
        }
        var notCompared: [String] = []
        let columns: [String]
        if let named {
            for c in named {
                for (t, name) in [(result, "result"), (reference, "reference")] where !t.header.contains(c) {
                    throw GFEError.badInput(
                        "diff: the column '\(c)' is missing from the \(name) \(t.source)"
                            + "\(didYouMean(c, among: t.header)); its columns are \(t.header.joined(separator: ", "))")
                }
            }
            columns = named.filter { !key.contains($0) }
        } else {
            let candidates = reference.header.filter { !key.contains($0) }
            columns = candidates.filter { result.header.contains($0) }
            notCompared = candidates.filter { !result.header.contains($0) }
        }
        guard !columns.isEmpty else {
            throw GFEError.badInput(
                "diff: no column to compare: the reference \(reference.source) has "
                    + reference.header.joined(separator: ", ") + " and the result \(result.source) has "
                    + result.header.joined(separator: ", "))
        }
        for c in tolerance.columnRtol.keys.sorted() where !columns.contains(c) {
            throw GFEError.badInput(
                "diff: --tol names the column '\(c)', which is not compared\(didYouMean(c, among: columns)); "
                    + "compared columns: \(columns.joined(separator: ", "))")
        }
        let resultRows = try index(result, key: key)
        let referenceRows = try index(reference, key: key)
        var cells: [Cell] = []
        var missingKeys: [String] = []
        let keyColumns = try key.map { try reference.columnIndex($0) }
        for k in referenceRows.order {
            guard let refRow = referenceRows.rows[k] else { continue }
            guard let resRow = resultRows.rows[k] else {
                missingKeys.append(describe(key, refRow, in: reference))
                continue
            }
            for c in columns {
                let v = resRow[try result.columnIndex(c)].trimmingCharacters(in: .whitespaces)
                let r = refRow[try reference.columnIndex(c)].trimmingCharacters(in: .whitespaces)
                if r.isEmpty { continue }
                cells.append(
                    judge(
                        key: keyColumns.map { refRow[$0] }, column: c, value: v, reference: r,
                        tolerance: tolerance))
            }
        }
        if !missingKeys.isEmpty {
            throw GFEError.badInput(
                "diff: the result \(result.source) has no row for reference key "
                    + missingKeys.prefix(5).joined(separator: "; ")
                    + (missingKeys.count > 5 ? " and \(missingKeys.count - 5) more" : ""))
        }
        let extra = resultRows.order.filter { referenceRows.rows[$0] == nil }.count
        return CSVDiff(
            keyColumns: key, columns: columns, cells: cells, notCompared: notCompared, extraRows: extra,
            tolerance: tolerance)
    }

    static func judge(key: [String], column: String, value: String, reference: String, tolerance: DiffTolerance) -> Cell
    {
        var cell = Cell(key: key, column: column, value: value, reference: reference, verdict: .outside)
        guard let r = Double(reference) else {
            cell.verdict = value == reference ? .within : .outside
            return cell
        }
        guard let v = Double(value) else {
            cell.verdict = value.isEmpty ? .missing : .outside
            return cell
        }
        if v.isNaN || r.isNaN {
            cell.verdict = v.isNaN && r.isNaN ? .within : .outside
            return cell
        }
        let d = v - r
        cell.difference = d
        cell.relative = r != 0 ? d / abs(r) : nil
        let allowance = tolerance.allowance(column: column, reference: r)
        cell.allowance = allowance
        cell.verdict = (v == r || abs(d) <= allowance) ? .within : .outside
        return cell
    }

    /// Rows by normalised key (numbers compared by value: "480" matches "480.0").
    private static func index(_ t: CSVTable, key: [String]) throws -> (rows: [String: [String]], order: [String]) {
        let idx = try key.map { try t.columnIndex($0) }
        var rows: [String: [String]] = [:]
        var order: [String] = []
        for (n, row) in t.rows.enumerated() {
            let k = idx.map { normalise(row[$0]) }.joined(separator: "\u{1}")
            if rows[k] != nil {
                let line = n < t.rowLines.count ? " (line \(t.rowLines[n]))" : ""
                throw GFEError.badInput(
                    "diff: \(t.source) has the key \(describe(key, row, in: t)) twice\(line); keys must be unique")
            }
            rows[k] = row
            order.append(k)
        }
        return (rows, order)
    }

    static func normalise(_ cell: String) -> String {
        let s = cell.trimmingCharacters(in: .whitespaces)
        guard let d = Double(s), d.isFinite else { return s }
        return JSONValue.canonicalNumber(s.contains(".") || s.contains("e") || s.contains("E") ? "\(d)" : s)
    }

    private static func describe(_ key: [String], _ row: [String], in t: CSVTable) -> String {
        key.map { k in "\(k)=\((try? t.columnIndex(k)).map { row[$0] } ?? "?")" }.joined(separator: ", ")
    }

    // MARK: - Report

    /// The side-by-side table and a summary line.
    public var report: String {
        var rows: [[String]] = [
            keyColumns + ["column", "value", "reference", "difference", "relative", "allowed", "within"]
        ]
        for c in cells {
            rows.append(
                c.key + [
                    c.column, c.value.isEmpty ? "(empty)" : c.value, c.reference,
                    c.difference.map { Self.signed($0) } ?? "",
                    c.relative.map { Self.signed($0 * 100, digits: 3) + "%" } ?? "",
                    c.allowance.map { String(format: "%.4g", $0) } ?? "", c.verdict.rawValue
                ])
        }
        var lines = [ResultsTable.align(rows)]
        var tol = "rtol \(tolerance.rtol), atol \(tolerance.atol)"
        if !tolerance.columnRtol.isEmpty {
            tol +=
                "; rtol "
                + tolerance.columnRtol.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(
                    separator: ", ")
        }
        lines.append(
            "\(cells.count) cells compared (\(tol)): \(cells.count - outside) within tolerance, \(outside) outside")
        if !notCompared.isEmpty {
            lines.append("not compared (not in the result): " + notCompared.joined(separator: ", "))
        }
        if extraRows > 0 {
            lines.append("\(extraRows) result row\(extraRows == 1 ? "" : "s") without a reference row (ignored)")
        }
        return lines.joined(separator: "\n")
    }

    private static func signed(_ d: Double, digits: Int = 4) -> String {
        (d >= 0 ? "+" : "") + String(format: "%.\(digits)g", d)
    }
}
