import GFECore

/// A CSV table: a header row, data rows of strings, and the `#` comment lines found in (or written to) the file.
///
/// Typed access by column name: `column(_:)` gives the strings, `doubles(_:)` the numbers, throwing a
/// `StoreError` that names the file, the column and the row (with its line number) when a cell is not a number.
public struct CSVTable: Equatable, Sendable {
    public var header: [String]
    public var rows: [[String]]
    /// Comment lines without the leading "#" and one following space, in file order.
    public var comments: [String]
    /// Where the table came from (a file path), for messages.
    public var source: String
    /// The 1-based line on which each row starts in `source` (empty for tables built in memory).
    public var rowLines: [Int]

    public init(
        header: [String], rows: [[String]] = [], comments: [String] = [], source: String = "<table>",
        rowLines: [Int] = []
    ) {
        self.header = header
        self.rows = rows
        self.comments = comments
        self.source = source
        self.rowLines = rowLines
    }

    /// Appends a row; throws when it does not have one field per header column.
    public mutating func append(_ row: [String]) throws {
        guard row.count == header.count else {
            throw StoreError(
                file: source, object: "row \(rows.count + 1)",
                problem: "\(row.count) fields, expected \(header.count) (\(header.joined(separator: ", ")))",
                kind: .runFailure)
        }
        rows.append(row)
    }

    /// The index of the column named `name`; throws listing the available columns when there is none, or
    /// when the name appears more than once.
    public func columnIndex(_ name: String) throws -> Int {
        let matches = header.indices.filter { header[$0] == name }
        guard let index = matches.first else {
            throw StoreError(
                file: source, object: "column '\(name)'",
                problem: "no such column; the columns are: \(header.joined(separator: ", "))")
        }
        guard matches.count == 1 else {
            throw StoreError(
                file: source, object: "column '\(name)'", problem: "the header names this column \(matches.count) times"
            )
        }
        return index
    }

    /// The cells of column `name`, one per row.
    public func column(_ name: String) throws -> [String] {
        let index = try columnIndex(name)
        return rows.map { $0[index] }
    }

    /// The cells of column `name` as numbers (surrounding spaces ignored; "inf", "-inf", "nan" accepted).
    /// Throws naming the column, row and line of the first cell that is not a number (an empty cell included).
    public func doubles(_ name: String) throws -> [Double] {
        try optionalDoubles(name, allowingEmpty: false).map { $0! }
    }

    /// Like `doubles(_:)`, with empty cells as nil.
    public func optionalDoubles(_ name: String) throws -> [Double?] {
        try optionalDoubles(name, allowingEmpty: true)
    }

    private func optionalDoubles(_ name: String, allowingEmpty: Bool) throws -> [Double?] {
        let index = try columnIndex(name)
        return try rows.indices.map { r in
            let cell = rows[r][index]
            let trimmed = cell.trimmingSpaces
            if trimmed.isEmpty && allowingEmpty { return nil }
            guard let value = Double(trimmed) else {
                let line = r < rowLines.count ? " (line \(rowLines[r]))" : ""
                throw StoreError(
                    file: source, object: "column '\(name)', row \(r + 1)\(line)",
                    problem: trimmed.isEmpty ? "empty cell, expected a number" : "\(quoted(cell)) is not a number")
            }
            return value
        }
    }
}

extension String {
    /// The string without leading and trailing spaces and tabs.
    var trimmingSpaces: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
