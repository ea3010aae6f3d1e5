import GFECore
import GFETraining

/// A strict JSON reader (RFC 8259) for specs: one value, no comments, no trailing commas, no duplicate
/// keys. Every error names the source, the line and column, and what was expected; a duplicate key also
/// names the JSON path of its object.
public struct JSONParser {
    private let bytes: [UInt8]
    private let source: String
    private var position = 0
    private var line = 1
    private var lineStart = 0
    private var depth = 0
    private static let maxDepth = 256

    /// Parses `text` as one JSON value; `source` names it in messages (a file path).
    public static func parse(_ text: String, source: String = "<json>") throws -> JSONValue {
        var parser = JSONParser(bytes: Array(text.utf8), source: source)
        return try parser.document()
    }

    private init(bytes: [UInt8], source: String) {
        self.bytes = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(bytes.dropFirst(3)) : bytes
        self.source = source
    }

    private mutating func document() throws -> JSONValue {
        skipSpace()
        guard position < bytes.count else { throw error("the file is empty; expected a JSON object") }
        let value = try parseValue(path: "$")
        skipSpace()
        guard position >= bytes.count else { throw unexpected("unexpected text after the end of the JSON value") }
        return value
    }

    private func error(_ problem: String) -> GFEError {
        .badInput("\(source): line \(line), column \(position - lineStart + 1): \(problem)")
    }

    /// `problem`, or the comments message when the unexpected character starts a comment.
    private func unexpected(_ problem: String) -> GFEError {
        current == UInt8(ascii: "/")
            ? error("comments are not allowed in JSON; put notes in \"description\"") : error(problem)
    }

    private var current: UInt8? { position < bytes.count ? bytes[position] : nil }

    private mutating func skipSpace() {
        while let b = current {
            if b == UInt8(ascii: "\n") {
                line += 1
                lineStart = position + 1
            } else if b != UInt8(ascii: " ") && b != UInt8(ascii: "\t") && b != UInt8(ascii: "\r") {
                return
            }
            position += 1
        }
    }

    private mutating func parseValue(path: String) throws -> JSONValue {
        guard let b = current else { throw error("the text ends where a value was expected") }
        switch b {
        case UInt8(ascii: "{"): return try parseObject(path: path)
        case UInt8(ascii: "["): return try parseArray(path: path)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"):
            try literal("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try literal("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try literal("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        case UInt8(ascii: "/"): throw error("comments are not allowed in JSON; put notes in \"description\"")
        case UInt8(ascii: "'"): throw error("strings must use double quotes (\"), not single quotes")
        default:
            throw error(
                "unexpected character '\(Character(UnicodeScalar(b)))'; expected a value (object, array, string, number, true, false or null)"
            )
        }
    }

    private mutating func literal(_ word: String) throws {
        let w = Array(word.utf8)
        guard position + w.count <= bytes.count, Array(bytes[position..<(position + w.count)]) == w else {
            throw error("unexpected text; expected a value (strings need double quotes)")
        }
        position += w.count
    }

    private mutating func enter() throws {
        depth += 1
        if depth > Self.maxDepth { throw error("nesting deeper than \(Self.maxDepth) levels") }
    }

    private mutating func parseObject(path: String) throws -> JSONValue {
        try enter()
        defer { depth -= 1 }
        position += 1
        var object = JSONObject()
        skipSpace()
        if current == UInt8(ascii: "}") {
            position += 1
            return .object(object)
        }
        while true {
            skipSpace()
            guard current == UInt8(ascii: "\"") else {
                throw error(
                    current == UInt8(ascii: "}")
                        ? "a trailing comma before '}' is not allowed"
                        : "expected a key in double quotes")
            }
            let key = try parseString()
            let childPath = JSONPath.child(path, key)
            if object.contains(key) {
                throw error("the key \"\(key)\" appears twice in \(path); keep one (\(childPath))")
            }
            skipSpace()
            guard current == UInt8(ascii: ":") else { throw error("expected ':' after the key \"\(key)\"") }
            position += 1
            skipSpace()
            object[key] = try parseValue(path: childPath)
            skipSpace()
            if current == UInt8(ascii: ",") {
                position += 1
                continue
            }
            if current == UInt8(ascii: "}") {
                position += 1
                return .object(object)
            }
            throw unexpected("expected ',' or '}' after the value of \"\(key)\"")
        }
    }

    private mutating func parseArray(path: String) throws -> JSONValue {
        try enter()
        defer { depth -= 1 }
        position += 1
        var items: [JSONValue] = []
        skipSpace()
        if current == UInt8(ascii: "]") {
            position += 1
            return .array(items)
        }
        while true {
            skipSpace()
            if current == UInt8(ascii: "]") { throw error("a trailing comma before ']' is not allowed") }
            items.append(try parseValue(path: "\(path)[\(items.count)]"))
            skipSpace()
            if current == UInt8(ascii: ",") {
                position += 1
                continue
            }
            if current == UInt8(ascii: "]") {
                position += 1
                return .array(items)
            }
            throw unexpected("expected ',' or ']' in the array")
        }
    }

    private mutating func parseNumber() throws -> String {
        let start = position
        func digits() -> Int {
            let s = position
            while let b = current, b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") { position += 1 }
            return position - s
        }
        if current == UInt8(ascii: "-") { position += 1 }
        let intStart = position
        let intDigits = digits()
        guard intDigits > 0 else { throw error("a '-' must be followed by digits") }
        if intDigits > 1 && bytes[intStart] == UInt8(ascii: "0") { throw error("numbers must not have leading zeros") }
        if current == UInt8(ascii: ".") {
            position += 1
            guard digits() > 0 else { throw error("a decimal point must be followed by digits") }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            position += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { position += 1 }
            guard digits() > 0 else { throw error("an exponent must have digits") }
        }
        let text = String(decoding: bytes[start..<position], as: UTF8.self)
        if let d = Double(text), !d.isFinite { throw error("the number \(text) is too large") }
        return text
    }

    private mutating func parseString() throws -> String {
        position += 1
        var out: [UInt8] = []
        while true {
            guard let b = current else { throw error("a string is never closed (missing \")") }
            position += 1
            switch b {
            case UInt8(ascii: "\""):
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard let e = current else { throw error("a string ends inside an escape") }
                position += 1
                switch e {
                case UInt8(ascii: "\""): out.append(e)
                case UInt8(ascii: "\\"): out.append(e)
                case UInt8(ascii: "/"): out.append(e)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800..<0xDC00).contains(scalar) {
                        guard current == UInt8(ascii: "\\"), position + 1 < bytes.count,
                            bytes[position + 1] == UInt8(ascii: "u")
                        else {
                            throw error("a \\u high surrogate must be followed by a low surrogate")
                        }
                        position += 2
                        let low = try hex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw error("invalid \\u surrogate pair") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let u = UnicodeScalar(scalar) else { throw error("invalid \\u escape") }
                    out += Array(String(Character(u)).utf8)
                default:
                    throw error("unknown escape '\\\(Character(UnicodeScalar(e)))' in a string")
                }
            default:
                if b < 0x20 {
                    throw error(
                        b == 0x0A
                            ? "a string is never closed on its line (missing \")"
                            : "a control character inside a string; escape it")
                }
                out.append(b)
            }
        }
    }

    private mutating func hex4() throws -> UInt32 {
        guard position + 4 <= bytes.count else { throw error("a \\u escape needs 4 hex digits") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[position]
            let digit: UInt32
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(b - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(b - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(b - UInt8(ascii: "A") + 10)
            default: throw error("a \\u escape needs 4 hex digits")
            }
            v = v * 16 + digit
            position += 1
        }
        return v
    }
}
