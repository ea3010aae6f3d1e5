import Foundation
import GFECore
import GFEStore

/// The numbers of results/REPORT.md, filled in from the committed tables so that none is typed by hand. The
/// report marks each generated part with an HTML comment (invisible where the markdown is rendered) holding a
/// JSON description, followed by the generated text and a closing comment:
///
///     <!-- gfe:table {"file": "table1/table-seeds3.csv", "reference": "reference/paper-table1.csv",
///          "key": "images_seen", "keyLabel": "images seen", "digits": 4,
///          "columns": [{"column": "gfe_amd", "label": "GFE-amd"},
///                      {"column": "gfe_amd", "label": "paper", "from": "reference"}]} -->
///     | images seen | GFE-amd | paper |
///     …
///     <!-- /gfe -->
///
///     GFE-amd reaches <!-- gfe:cell {"file": "table1/table.csv", "column": "gfe_amd", "row": "5760",
///     "digits": 4} -->0.1091<!-- /gfe --> after 5,760 images.
///
/// Paths are relative to the results root. Numbers take `"digits"` decimals (default 4) or `"significant"`
/// digits; a column with `_sd` beside it is written "mean ± sd"; `"from"` takes a column from the reference or
/// another table, matched on the key; `"groupKey": true` writes the key's numbers as 1,920, `"seedCount": true`
/// adds the row's seed count to it ("1,920 (n = 3)", from the first column's `_n`). `gfe report` rewrites every marked part;
/// a test checks that the committed report equals its filled self.
public enum ReportNumbers {
    public struct Filled: Sendable, Equatable {
        public var text: String
        public var tables: Int
        public var cells: Int
    }

    static let opening = try! NSRegularExpression(
        pattern: #"<!-- gfe:(table|cell) (\{.*?\}) -->"#, options: [.dotMatchesLineSeparators])
    static let closing = "<!-- /gfe -->"

    /// `text` with every marked part regenerated from the tables under `root`. `source` names the report in
    /// errors (with the line of the marker).
    public static func fill(_ text: String, root: String, source: String) throws -> Filled {
        var out = ""
        var position = text.startIndex
        var tables = 0
        var cells = 0
        var cache: [String: CSVTable] = [:]
        let whole = NSRange(text.startIndex..., in: text)
        for match in opening.matches(in: text, range: whole) {
            let marker = Range(match.range, in: text)!
            // A marker inside a part being replaced belongs to that part's old text.
            guard marker.lowerBound >= position else { continue }
            let kind = String(text[Range(match.range(at: 1), in: text)!])
            let json = String(text[Range(match.range(at: 2), in: text)!])
            let at = "\(source):\(text[..<marker.lowerBound].filter { $0 == "\n" }.count + 1)"
            guard let end = text.range(of: closing, range: marker.upperBound..<text.endIndex) else {
                throw GFEError.badInput("\(at): gfe:\(kind) has no closing \(closing)")
            }
            guard case .object(let spec) = try JSONParser.parse(json, source: at) else {
                throw GFEError.badInput("\(at): the gfe:\(kind) description is not a JSON object")
            }
            let generated: String
            if kind == "table" {
                generated = "\n" + (try table(spec, root: root, at: at, cache: &cache)) + "\n"
                tables += 1
            } else {
                generated = try cell(spec, root: root, at: at, cache: &cache)
                cells += 1
            }
            out += text[position..<marker.upperBound] + generated + closing
            position = end.upperBound
        }
        out += text[position...]
        return Filled(text: out, tables: tables, cells: cells)
    }

    private static func read(_ file: String, root: String, at: String, cache: inout [String: CSVTable]) throws
        -> CSVTable
    {
        if let t = cache[file] { return t }
        let path = root + "/" + file
        guard FileManager.default.fileExists(atPath: path) else {
            throw GFEError.badInput("\(at): \(path) does not exist (paths are relative to the results root)")
        }
        let t = try CSV.read(path)
        cache[file] = t
        return t
    }

    private static func string(_ spec: JSONObject, _ key: String, at: String) throws -> String {
        guard case .string(let s) = spec[key] else {
            throw GFEError.badInput("\(at): needs \"\(key)\" (a string)")
        }
        return s
    }

    /// How a number is written: `digits` decimals (default 4), or `significant` digits (the sd then takes as
    /// many decimals as its mean).
    enum Precision: Equatable {
        case decimals(Int)
        case significant(Int)

        func decimals(for value: Double) -> Int {
            switch self {
            case .decimals(let n): return n
            case .significant(let n):
                guard value != 0, value.isFinite else { return n - 1 }
                return max(0, n - 1 - Int(Foundation.floor(Foundation.log10(abs(value)))))
            }
        }
    }

    private static func precision(_ spec: JSONObject, at: String) throws -> Precision {
        for key in ["digits", "significant"] {
            guard let v = spec[key] else { continue }
            guard let n = v.intValue, (key == "digits" ? 0 : 1)...12 ~= n else {
                throw GFEError.badInput("\(at): \"\(key)\" must be an integer from \(key == "digits" ? 0 : 1) to 12")
            }
            return key == "digits" ? .decimals(n) : .significant(n)
        }
        return .decimals(4)
    }

    /// The row of `table` whose `key` cell is `value` (numerically equal when both are numbers).
    private static func row(_ table: CSVTable, key: String, value: String, file: String, at: String) throws -> [String]
    {
        let k = try table.columnIndex(key)
        if let r = table.rows.first(where: {
            $0[k] == value || (Double($0[k]).flatMap { a in Double(value).map { a == $0 } } ?? false)
        }) {
            return r
        }
        throw GFEError.badInput("\(at): \(file) has no row with \(key) = \(value)")
    }

    /// "mean ± sd" when the table has `column_sd` with a value, the mean alone otherwise.
    private static func value(
        _ table: CSVTable, _ row: [String], column: String, precision: Precision, file: String, at: String
    ) throws -> String {
        guard let c = table.header.firstIndex(of: column) else {
            throw GFEError.badInput(
                "\(at): \(file) has no column \(column) (columns: \(table.header.joined(separator: ", ")))")
        }
        guard let mean = Double(row[c]) else { return row[c].isEmpty ? "—" : row[c] }
        let decimals = precision.decimals(for: mean)
        var text = String(format: "%.\(decimals)f", mean)
        if let s = table.header.firstIndex(of: column + "_sd"), let sd = Double(row[s]) {
            text += " ± " + String(format: "%.\(decimals)f", sd)
        }
        return text
    }

    private static func table(_ spec: JSONObject, root: String, at: String, cache: inout [String: CSVTable]) throws
        -> String
    {
        let file = try string(spec, "file", at: at)
        let ours = try read(file, root: root, at: at, cache: &cache)
        let key = try string(spec, "key", at: at)
        let keyColumn = try ours.columnIndex(key)
        let keyLabel = (try? string(spec, "keyLabel", at: at)) ?? key.replacingOccurrences(of: "_", with: " ")
        let n = try precision(spec, at: at)
        // "groupKey": the key's numbers with thousands separators (1,920).
        let groupKey = spec["groupKey"] == .bool(true)
        let seedCount = spec["seedCount"] == .bool(true)
        guard case .array(let columns) = spec["columns"], !columns.isEmpty else {
            throw GFEError.badInput(
                "\(at): needs \"columns\", a non-empty array of {\"column\", \"label\"[, \"from\"]}")
        }
        var header = [keyLabel]
        var sources: [(table: CSVTable, file: String, column: String)] = []
        for c in columns {
            guard case .object(let o) = c else { throw GFEError.badInput("\(at): every column is an object") }
            let column = try string(o, "column", at: at)
            header.append((try? string(o, "label", at: at)) ?? column)
            var source = file
            if case .string(let from) = o["from"] {
                source = from == "reference" ? try string(spec, "reference", at: at) : from
            }
            sources.append((try read(source, root: root, at: at, cache: &cache), source, column))
        }
        var lines = [
            "| " + header.joined(separator: " | ") + " |", "|" + String(repeating: "---|", count: header.count)
        ]
        for r in ours.rows {
            var keyCell = groupKey ? (Int(r[keyColumn]).map(grouped) ?? r[keyColumn]) : r[keyColumn]
            // "seedCount": the row's seed count after the key, from the first column's `_n` ("480 (n = 3)").
            if seedCount, let n = ours.header.firstIndex(of: sources[0].column + "_n"), !r[n].isEmpty {
                keyCell += " (n = \(r[n]))"
            }
            var cells = [keyCell]
            for s in sources {
                let row = s.file == file ? r : try row(s.table, key: key, value: r[keyColumn], file: s.file, at: at)
                cells.append(try value(s.table, row, column: s.column, precision: n, file: s.file, at: at))
            }
            lines.append("| " + cells.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n")
    }

    private static func cell(_ spec: JSONObject, root: String, at: String, cache: inout [String: CSVTable]) throws
        -> String
    {
        let file = try string(spec, "file", at: at)
        let table = try read(file, root: root, at: at, cache: &cache)
        let key = (try? string(spec, "key", at: at)) ?? table.header[0]
        let r = try row(table, key: key, value: try string(spec, "row", at: at), file: file, at: at)
        return try value(
            table, r, column: try string(spec, "column", at: at), precision: try precision(spec, at: at), file: file,
            at: at)
    }
}
