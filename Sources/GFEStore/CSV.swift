import GFECore

#if canImport(Glibc)
import Glibc
#endif

/// CSV reading and writing (RFC 4180): fields separated by commas; a field containing a comma, a double
/// quote, a line break, or (first in its row) a leading "#", is enclosed in double quotes with inner quotes
/// doubled. Lines starting with "#" outside a quoted field are comments. The first record is the header;
/// every row must have as many fields. Lines end in "\n" on writing; "\n" and "\r\n" are read. Blank lines
/// are skipped on reading (a row of one empty field is written as `""` so it survives).
public enum CSV {
    // MARK: - Writing

    /// The text of `table`: its comments (each as "# text"; a comment with line breaks becomes several
    /// comment lines), the header, then the rows.
    public static func render(_ table: CSVTable) -> String {
        var out = ""
        for comment in table.comments {
            for line in comment.split(separator: "\n", omittingEmptySubsequences: false) {
                out += line.isEmpty ? "#\n" : "# \(line)\n"
            }
        }
        out += record(table.header)
        for row in table.rows { out += record(row) }
        return out
    }

    /// Writes `table` to `path` atomically (temporary file, fsync, rename): an existing file is replaced
    /// only when the whole table is on disk.
    public static func write(_ table: CSVTable, to path: String) throws {
        try AtomicFile.write(render(table), to: path)
    }

    /// A number as a CSV cell: Swift's shortest text that reads back to the same Double ("0.1", "1e-05",
    /// "inf", "nan").
    public static func cell(_ value: Double) -> String { "\(value)" }

    /// A Float as a CSV cell, shortest round-trip form for Float.
    public static func cell(_ value: Float) -> String { "\(value)" }

    /// One record with its line ending.
    static func record(_ fields: [String]) -> String {
        if fields.count == 1 && fields[0].isEmpty { return "\"\"\n" }
        return fields.enumerated().map { escape($1, first: $0 == 0) }.joined(separator: ",") + "\n"
    }

    /// `field` quoted when it must be.
    static func escape(_ field: String, first: Bool) -> String {
        let needsQuotes =
            field.contains { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }
            || (first && field.hasPrefix("#"))
        guard needsQuotes else { return field }
        return "\"" + field.replacingQuotes + "\""
    }

    // MARK: - Reading

    /// Reads the CSV file at `path`. Throws naming the file when it is missing or malformed.
    public static func read(_ path: String) throws -> CSVTable {
        guard let bytes = readFile(path) else {
            throw StoreError(file: path, problem: "could not read: \(String(cString: strerror(errno)))")
        }
        return try parse(String(decoding: bytes, as: UTF8.self), source: path)
    }

    /// Parses CSV text; `source` names it in messages. Throws for an unterminated quoted field, text after a
    /// closing quote, a quote inside an unquoted field, a missing header or a row of the wrong width.
    public static func parse(_ text: String, source: String = "<text>") throws -> CSVTable {
        var parser = CSVParser(bytes: Array(text.utf8), source: source)
        return try parser.table()
    }

    private static func readFile(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let got = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if got < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if got == 0 { return bytes }
            bytes += chunk[0..<got]
        }
    }
}

extension String {
    fileprivate var replacingQuotes: String {
        var out = ""
        for character in self { out += character == "\"" ? "\"\"" : String(character) }
        return out
    }
}

/// The RFC 4180 reader over UTF-8 bytes.
private struct CSVParser {
    let bytes: [UInt8]
    let source: String
    var position = 0
    var line = 1

    init(bytes: [UInt8], source: String) {
        // A UTF-8 byte-order mark (spreadsheet exports) is not part of the first header name.
        self.bytes = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(bytes.dropFirst(3)) : bytes
        self.source = source
    }

    private static let comma = UInt8(ascii: ","), quote = UInt8(ascii: "\""), newline = UInt8(ascii: "\n"),
        carriageReturn = UInt8(ascii: "\r"), hash = UInt8(ascii: "#"), space = UInt8(ascii: " ")

    mutating func table() throws -> CSVTable {
        var comments: [String] = []
        var records: [(fields: [String], line: Int)] = []
        while position < bytes.count {
            if atLineEnd() {
                skipLineEnd()
                continue
            }  // blank line
            if bytes[position] == Self.hash {
                comments.append(commentLine())
                continue
            }
            let start = line
            records.append((try record(), start))
        }
        guard let header = records.first else {
            throw StoreError(file: source, problem: "no header row (the file is empty or only comments)")
        }
        var rows: [[String]] = []
        var lines: [Int] = []
        for (fields, startLine) in records.dropFirst() {
            guard fields.count == header.fields.count else {
                throw StoreError(
                    file: source, object: "line \(startLine)",
                    problem:
                        "\(fields.count) fields, expected \(header.fields.count) like the header (\(header.fields.joined(separator: ", ")))"
                )
            }
            rows.append(fields)
            lines.append(startLine)
        }
        return CSVTable(header: header.fields, rows: rows, comments: comments, source: source, rowLines: lines)
    }

    private func atLineEnd() -> Bool {
        bytes[position] == Self.newline
            || (bytes[position] == Self.carriageReturn && position + 1 < bytes.count
                && bytes[position + 1] == Self.newline)
    }

    private mutating func skipLineEnd() {
        position += bytes[position] == Self.carriageReturn ? 2 : 1
        line += 1
    }

    /// A "#" line: the text after "#" and one optional space, up to the line end.
    private mutating func commentLine() -> String {
        position += 1
        if position < bytes.count && bytes[position] == Self.space { position += 1 }
        let start = position
        while position < bytes.count && !atLineEnd() { position += 1 }
        let text = String(decoding: bytes[start..<position], as: UTF8.self)
        if position < bytes.count { skipLineEnd() }
        return text
    }

    /// One record: fields up to an unquoted line end (consumed) or the end of the text.
    private mutating func record() throws -> [String] {
        var fields: [String] = []
        while true {
            fields.append(try field())
            if position >= bytes.count { return fields }
            if bytes[position] == Self.comma {
                position += 1
                continue
            }
            skipLineEnd()  // field() stops only at a comma, a line end or the end
            return fields
        }
    }

    private mutating func field() throws -> String {
        if position < bytes.count && bytes[position] == Self.quote { return try quotedField() }
        let start = position
        while position < bytes.count && bytes[position] != Self.comma && !atLineEnd() {
            if bytes[position] == Self.quote {
                throw StoreError(
                    file: source, object: "line \(line)",
                    problem:
                        "a double quote inside an unquoted field; enclose the whole field in double quotes and double the quote"
                )
            }
            position += 1
        }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    private mutating func quotedField() throws -> String {
        let startLine = line
        position += 1
        var content: [UInt8] = []
        while true {
            guard position < bytes.count else {
                throw StoreError(
                    file: source, object: "line \(startLine)",
                    problem: "a quoted field is never closed (missing closing double quote)")
            }
            let byte = bytes[position]
            if byte == Self.quote {
                if position + 1 < bytes.count && bytes[position + 1] == Self.quote {
                    content.append(Self.quote)
                    position += 2
                    continue
                }
                position += 1
                break
            }
            if byte == Self.newline { line += 1 }
            content.append(byte)
            position += 1
        }
        guard position >= bytes.count || bytes[position] == Self.comma || atLineEnd() else {
            throw StoreError(
                file: source, object: "line \(line)",
                problem: "unexpected text after a closing double quote (expected a comma or the end of the line)")
        }
        return String(decoding: content, as: UTF8.self)
    }
}
