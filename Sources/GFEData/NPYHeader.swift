import GFECore

// MARK: - The .npy header

/// The header dict of a `.npy` file, e.g. `{'descr': '<f4', 'fortran_order': False, 'shape': (100, 2), }`.
struct NPYHeader {
    var type: NumericArray.ElementType
    var bigEndian: Bool
    var fortranOrder: Bool
    var shape: [Int]
    /// The number of elements (1 for shape `()`).
    var count: Int

    static let allowedTypes =
        "allowed: '|b1' (bool), '|u1', '|i1', and '<' (little-endian) or '>' (big-endian) with u2, i2, u4, i4, "
        + "u8, i8, f4 or f8"

    init(_ text: String, label: String) throws {
        func bad(_ what: String) -> DataError {
            var shown = Substring(text)  // without the padding and newline
            while shown.last?.isWhitespace == true { shown.removeLast() }
            if shown.count > 300 { shown = shown.prefix(300) + "…" }
            return DataError(.badHeader, "\(label): its .npy header \(what): \(shown)")
        }
        var parser = LiteralParser(text: Array(text.unicodeScalars))
        let literal: PyLiteral
        do {
            literal = try parser.wholeValue()
        } catch let e as LiteralParser.Failure {
            throw bad("is not a Python dict literal (\(e.message) at character \(e.position + 1))")
        }
        guard case .dict(let items) = literal else { throw bad("is not a dict") }
        let fields = Dictionary(items, uniquingKeysWith: { _, last in last })
        guard Set(items.map(\.0)) == ["descr", "fortran_order", "shape"], items.count == 3 else {
            throw bad("must have exactly the keys 'descr', 'fortran_order' and 'shape'")
        }
        switch fields["descr"]! {
        case .string(let descr):
            guard let parsed = NPYHeader.elementType(descr) else {
                throw DataError(
                    .unsupportedFormat,
                    "\(label) holds elements of dtype '\(descr)'\(NPYHeader.typeHint(descr)), which is not supported; "
                        + "\(NPYHeader.allowedTypes).")
            }
            (type, bigEndian) = parsed
        case let other:
            throw DataError(
                .unsupportedFormat,
                "\(label) holds a structured dtype (\(other.python)), which is not supported; \(NPYHeader.allowedTypes)."
            )
        }
        guard case .bool(let fortran) = fields["fortran_order"]! else {
            throw bad("has a 'fortran_order' that is not True or False")
        }
        fortranOrder = fortran
        guard case .tuple(let dims) = fields["shape"]! else { throw bad("has a 'shape' that is not a tuple") }
        shape = try dims.map {
            guard case .int(let n) = $0, n >= 0 else { throw bad("has a 'shape' that is not a tuple of sizes ≥ 0") }
            return n
        }
        var count = 1
        for n in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: n)
            guard !overflow else { throw bad("has a 'shape' too large to address") }
            count = product
        }
        self.count = count
    }

    /// The element type and byte order of a dtype descr such as '<f4' ('=' and '|' mean native: little-endian).
    static func elementType(_ descr: String) -> (NumericArray.ElementType, Bool)? {
        var code = Substring(descr)
        var bigEndian = false
        if let order = code.first, "<>=|".contains(order) {
            bigEndian = order == ">"
            code = code.dropFirst()
        }
        let types: [Substring: NumericArray.ElementType] = [
            "b1": .bool, "u1": .uint8, "i1": .int8, "u2": .uint16, "i2": .int16, "u4": .uint32, "i4": .int32,
            "u8": .uint64, "i8": .int64, "f4": .float32, "f8": .float64
        ]
        return types[code].map { ($0, bigEndian) }
    }

    /// " (what it is)" for the unsupported dtypes one meets, "" otherwise.
    static func typeHint(_ descr: String) -> String {
        let code = descr.drop { "<>=|".contains($0) }
        let kinds: [Character: String] = [
            "O": "Python objects", "U": "Unicode strings", "S": "byte strings", "a": "byte strings",
            "c": "complex numbers", "V": "raw bytes or records", "M": "datetimes", "m": "timedeltas"
        ]
        if code == "f2" { return " (float16)" }
        if code.first == "f" { return " (extended-precision float)" }
        return code.first.flatMap { kinds[$0] }.map { " (\($0))" } ?? ""
    }
}

/// A Python literal as `repr` writes it in .npy headers.
enum PyLiteral {
    case string(String)
    case int(Int)
    case bool(Bool)
    case none
    case tuple([PyLiteral])
    case list([PyLiteral])
    case dict([(String, PyLiteral)])

    /// The literal written back as Python, for error messages.
    var python: String {
        switch self {
        case .string(let s): return "'\(s)'"
        case .int(let n): return String(n)
        case .bool(let b): return b ? "True" : "False"
        case .none: return "None"
        case .tuple(let items):
            return "(" + items.map(\.python).joined(separator: ", ") + (items.count == 1 ? ",)" : ")")
        case .list(let items): return "[" + items.map(\.python).joined(separator: ", ") + "]"
        case .dict(let items): return "{" + items.map { "'\($0)': \($1.python)" }.joined(separator: ", ") + "}"
        }
    }
}

/// A recursive-descent parser for the literals of .npy headers: strings, integers (Python 2's `3L` too),
/// True/False/None, tuples (`()`, `(5,)`), lists and dicts, with any whitespace and trailing commas.
struct LiteralParser {
    struct Failure: Error {
        var message: String
        var position: Int
    }

    let text: [Unicode.Scalar]
    var i = 0

    init(text: [Unicode.Scalar]) { self.text = text }

    /// The one value the text holds, with nothing but whitespace around it.
    mutating func wholeValue() throws -> PyLiteral {
        let v = try value()
        skipSpace()
        guard i == text.count else { throw fail("unexpected '\(text[i])' after the value") }
        return v
    }

    func fail(_ message: String) -> Failure { Failure(message: message, position: i) }

    mutating func skipSpace() {
        while i < text.count && text[i].properties.isWhitespace { i += 1 }
    }

    mutating func value() throws -> PyLiteral {
        skipSpace()
        guard i < text.count else { throw fail("the text ends where a value should be") }
        let c = text[i]
        switch c {
        case "'", "\"": return .string(try string())
        case "(":
            let (items, comma) = try sequence(closing: ")")
            return items.count == 1 && !comma ? items[0] : .tuple(items)  // (5) is 5; (5,) is a tuple
        case "[": return .list(try sequence(closing: "]").items)
        case "{":
            i += 1
            var items: [(String, PyLiteral)] = []
            while true {
                skipSpace()
                if i < text.count && text[i] == "}" { break }
                guard case .string(let key) = try value() else { throw fail("a dict key must be a string") }
                skipSpace()
                guard i < text.count && text[i] == ":" else { throw fail("expected ':' after a dict key") }
                i += 1
                items.append((key, try value()))
                skipSpace()
                guard i < text.count && (text[i] == "," || text[i] == "}") else { throw fail("expected ',' or '}'") }
                if text[i] == "," { i += 1 }
            }
            i += 1
            return .dict(items)
        case "-", "0"..."9": return .int(try integer())
        default:
            let start = i
            while i < text.count && text[i].properties.isAlphabetic { i += 1 }
            switch String(String.UnicodeScalarView(text[start..<i])) {
            case "True": return .bool(true)
            case "False": return .bool(false)
            case "None": return .none
            default:
                i = start
                throw fail("unexpected '\(c)'")
            }
        }
    }

    /// The items up to `closing` (after the opening bracket), and whether a comma followed the last one.
    mutating func sequence(closing: Unicode.Scalar) throws -> (items: [PyLiteral], comma: Bool) {
        i += 1
        var items: [PyLiteral] = []
        var comma = false
        while true {
            skipSpace()
            if i < text.count && text[i] == closing { break }
            items.append(try value())
            skipSpace()
            guard i < text.count && (text[i] == "," || text[i] == closing) else {
                throw fail("expected ',' or '\(closing)'")
            }
            comma = text[i] == ","
            if comma { i += 1 }
        }
        i += 1
        return (items, comma)
    }

    mutating func string() throws -> String {
        let quote = text[i]
        i += 1
        var out = String.UnicodeScalarView()
        while i < text.count && text[i] != quote {
            if text[i] == "\\" { i += 1 }  // an escaped character is taken as it is
            if i < text.count { out.append(text[i]) }
            i += 1
        }
        guard i < text.count else { throw fail("a string is not closed") }
        i += 1
        return String(out)
    }

    mutating func integer() throws -> Int {
        let negative = text[i] == "-"
        if negative { i += 1 }
        var n = 0
        let start = i
        while i < text.count && ("0"..."9").contains(text[i]) {
            let digit = Int(text[i].value) - 48
            let (times, o1) = n.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times.addingReportingOverflow(digit)
            guard !o1 && !o2 else { throw fail("an integer is too large") }
            n = sum
            i += 1
        }
        guard i > start else { throw fail("expected digits") }
        if i < text.count && (text[i] == "L" || text[i] == "l") { i += 1 }  // Python 2 long, in old headers
        return negative ? -n : n
    }
}
