import Foundation
import GFECore
import GFEStore

/// One table file of an experiment as HTML for the report page: its `# gfe table: …` comment as the caption,
/// numbers right-aligned to four significant digits (the full value on hover), `mean ± sd` where the table has
/// seed statistics, and — when the spec has a `reference` — the paper's value beside ours in each compared
/// cell, judged by `CSVDiff.compare` with the spec's key, columns and tolerance; a cell outside tolerance has
/// the class `outside` and a visible ✗, and a legend says what the tolerance is.
///
/// Seed statistics: a wide table's column `c` with `c_sd` and `c_n` beside it (`gfe table` over several seeds)
/// shows as one column `c`, cells `mean ± sd` (and `(n = k)` where fewer seeds than the column's most gave a
/// value); a long table's `mean` with `sd` shows as `mean ± sd` in the mean column.
struct ResultsPageTable {
    var path: String
    var reference: ReferenceSettings?
    /// The command that makes this table, shown under its caption.
    var command: String?

    /// The section's HTML; a file that cannot be read is a note, not an error.
    func html() -> String {
        let name = (path as NSString).lastPathComponent
        let table: CSVTable
        do {
            table = try CSV.read(path)
        } catch {
            return note("\(name) could not be read: \(Self.message(error))")
        }
        let layout = Layout(table.header)
        var comparison: Comparison?
        var referenceNote: String?
        if let reference {
            do {
                comparison = try Comparison(result: table, reference: reference)
            } catch {
                referenceNote = "Not compared with the paper: \(Self.message(error))"
            }
        }
        var out = "<figure class=\"table\">"
        let caption = table.comments.first { $0.hasPrefix("gfe table:") } ?? table.comments.first ?? name
        out += HTMLText.element(
            "figcaption", [],
            "<span class=\"file\">\(HTMLText.escape(name))</span> " + HTMLText.escape(caption)
                + (command.map { "<br>Made by <code>\(HTMLText.escape($0))</code>" } ?? ""))
        out += "<div class=\"scroll\"><table class=\"results\"><thead><tr>"
        for c in layout.shown {
            let sub = layout.statistics[c] != nil ? "<span class=\"unit\">mean ± sd</span>" : ""
            out += "<th>\(HTMLText.escape(table.header[c]))\(sub)</th>"
        }
        out += "</tr></thead><tbody>"
        let seeds = layout.mostSeeds(table)
        for row in table.rows {
            out += "<tr>"
            let key = comparison.map { c in c.key(of: row) }
            for c in layout.shown {
                let cell = c < row.count ? row[c] : ""
                var text = Self.formatted(cell)
                var classes = Self.isNumber(cell) ? ["num"] : []
                var title = cell
                if let stats = layout.statistics[c] {
                    let sd = stats.sd < row.count ? row[stats.sd] : ""
                    if !sd.isEmpty && !cell.isEmpty { text += " ± " + Self.formatted(sd, digits: 2) }
                    if let n = stats.n, n < row.count, let count = Int(row[n]), count < seeds {
                        text += " (n = \(count))"
                    }
                    title = "mean \(cell)" + (sd.isEmpty ? "" : ", sd \(sd)")
                }
                if let key, let judged = comparison?.cells[key + "\u{1}" + table.header[c]] {
                    let outside = judged.verdict != .within
                    classes.append(outside ? "outside" : "within")
                    let relative = judged.relative.map { String(format: " (%+.1f %%)", $0 * 100) } ?? ""
                    text =
                        (outside ? "<span class=\"mark\" aria-label=\"outside tolerance\">✗</span> " : "")
                        + "<span class=\"ours\">\(HTMLText.escape(text))</span>"
                        + "<span class=\"paper\">paper \(HTMLText.escape(judged.reference))\(relative)</span>"
                    title +=
                        "; paper \(judged.reference)"
                        + (judged.allowance.map { "; allowed ±" + String(format: "%.4g", $0) } ?? "")
                        + (outside ? "; OUTSIDE tolerance" : "; within tolerance")
                } else {
                    text = HTMLText.escape(text)
                }
                let attributes =
                    (classes.isEmpty ? "" : " class=\"\(classes.joined(separator: " "))\"")
                    + (title.isEmpty || title == cell && text == cell ? "" : " title=\"\(HTMLText.escape(title))\"")
                out += "<td\(attributes)>\(text)</td>"
            }
            out += "</tr>"
        }
        out += "</tbody></table></div>"
        if let comparison { out += comparison.legend }
        if let referenceNote { out += note(referenceNote) }
        if !layout.statistics.isEmpty {
            out += "<p class=\"legend\">Cells give the mean ± sample sd (n − 1) over seeds.</p>"
        }
        return out + "</figure>"
    }

    private func note(_ text: String) -> String { "<p class=\"note\">\(HTMLText.escape(text))</p>" }

    static func message(_ error: Error) -> String {
        (error as? ReportableError)?.message ?? "\(error)"
    }

    static func isNumber(_ cell: String) -> Bool { Double(cell.trimmingCharacters(in: .whitespaces)) != nil }

    /// Integers as they are; other numbers to `digits` significant digits, trailing zeros kept so that a
    /// column's decimals line up (`0.1940`), and without an exponent from 1,000 to 10⁹ (`49992`).
    static func formatted(_ cell: String, digits: Int = 4) -> String {
        let s = cell.trimmingCharacters(in: .whitespaces)
        guard let d = Double(s), s.contains(".") || s.contains("e") || s.contains("E"), d.isFinite else { return s }
        if abs(d) >= 1000 && abs(d) < 1e9 { return String(format: "%.0f", d) }
        let text = String(format: "%#.\(digits)g", d)
        return text.hasSuffix(".") ? String(text.dropLast()) : text
    }

    /// Which columns are shown and which carry seed statistics.
    struct Layout {
        var shown: [Int] = []
        /// Shown column → its sd column and, in a wide table, its n column.
        var statistics: [Int: (sd: Int, n: Int?)] = [:]

        init(_ header: [String]) {
            var hidden = Set<Int>()
            if let mean = header.firstIndex(of: "mean"), let sd = header.firstIndex(of: "sd") {
                statistics[mean] = (sd, nil)
                hidden.insert(sd)
            }
            for (i, name) in header.enumerated() {
                guard let sd = header.firstIndex(of: name + "_sd"), let n = header.firstIndex(of: name + "_n") else {
                    continue
                }
                statistics[i] = (sd, n)
                hidden.formUnion([sd, n])
            }
            shown = header.indices.filter { !hidden.contains($0) }
        }

        /// The largest count in the table's n columns (the seeds a full cell has).
        func mostSeeds(_ table: CSVTable) -> Int {
            let columns = statistics.values.compactMap(\.n)
            return table.rows.flatMap { row in columns.compactMap { $0 < row.count ? Int(row[$0]) : nil } }.max() ?? 0
        }
    }

    /// The table judged against the spec's reference by `CSVDiff.compare`. Reference rows the table does not
    /// have (a table of fewer checkpoints) are left out of the comparison and listed.
    struct Comparison {
        var diff: CSVDiff
        var referenceFile: String
        var keyIndices: [Int]
        /// Normalised key + "\u{1}" + column → the judged cell.
        var cells: [String: CSVDiff.Cell] = [:]
        var missingRows: [String] = []

        init(result: CSVTable, reference settings: ReferenceSettings) throws {
            var reference = try settings.selectRows(of: try CSV.read(settings.file))
            referenceFile = settings.file
            let resultKeys = try settings.key.map { try result.columnIndex($0) }
            keyIndices = resultKeys
            let referenceKeys = try settings.key.map { try reference.columnIndex($0) }
            let present = Set(result.rows.map { row in Self.key(resultKeys.map { row[$0] }) })
            var kept: [[String]] = []
            for row in reference.rows {
                let k = Self.key(referenceKeys.map { row[$0] })
                if present.contains(k) {
                    kept.append(row)
                } else {
                    missingRows.append(referenceKeys.map { row[$0] }.joined(separator: ", "))
                }
            }
            reference.rows = kept
            reference.rowLines = []
            diff = try CSVDiff.compare(
                result: result, reference: reference, key: settings.key, columns: settings.columns,
                tolerance: settings.tolerance)
            for c in diff.cells { cells[Self.key(c.key) + "\u{1}" + c.column] = c }
        }

        static func key(_ values: [String]) -> String { values.map(CSVDiff.normalise).joined(separator: "\u{1}") }

        func key(of row: [String]) -> String { Self.key(keyIndices.map { $0 < row.count ? row[$0] : "" }) }

        /// The sentence under the table: where the paper's values come from, the tolerance, how many cells
        /// are outside it, and what was not compared.
        var legend: String {
            let t = diff.tolerance
            var rule =
                "|ours − paper| ≤ \(t.atol.formatted) + \(t.rtol.formatted)·|paper| (rtol \(t.rtol.formatted), "
                + "atol \(t.atol.formatted))"
            if !t.columnRtol.isEmpty {
                rule +=
                    "; rtol "
                    + t.columnRtol.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value.formatted)" }
                    .joined(separator: ", ")
            }
            let file = (referenceFile as NSString).lastPathComponent
            var text =
                "Grey: the paper's value (\(HTMLText.escape(file))) and our difference from it. "
                + "A cell is within tolerance when \(HTMLText.escape(rule)); "
                + "<span class=\"mark\">✗</span> marks one outside it: \(diff.outside) of \(diff.cells.count) "
                + "compared cells."
            if !missingRows.isEmpty {
                text += " Paper rows this table lacks: " + HTMLText.escape(missingRows.joined(separator: "; ")) + "."
            }
            if !diff.notCompared.isEmpty {
                text +=
                    " The paper's column\(diff.notCompared.count == 1 ? "" : "s") "
                    + HTMLText.escape(diff.notCompared.joined(separator: ", ")) + " not in this table."
            }
            return "<p class=\"legend\">\(text)</p>"
        }
    }
}

extension Double {
    /// The shortest text that reads back as this number (`0.1`, `1e-08`).
    fileprivate var formatted: String { "\(self)" }
}
