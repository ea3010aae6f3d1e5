import Foundation

/// The few pieces of HTML the report page is written with: escaping, elements, and paths between the page and
/// the files it links to.
enum HTMLText {
    /// Text for element content or a double-quoted attribute: `&`, `<`, `>` and `"` escaped.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(c)
            }
        }
        return out
    }

    /// `<name attributes>content</name>`; `content` is HTML (escape text first), attributes are escaped here.
    static func element(_ name: String, _ attributes: [(String, String)] = [], _ content: String) -> String {
        "<\(name)\(attributeText(attributes))>\(content)</\(name)>"
    }

    static func attributeText(_ attributes: [(String, String)]) -> String {
        attributes.map { " \($0.0)=\"\(escape($0.1))\"" }.joined()
    }

    /// An anchor id from a name: letters, digits, `-` and `_` kept, anything else as `-`.
    static func anchor(_ name: String) -> String {
        String(name.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") ? $0 : "-" })
    }

    /// The path of `target` relative to the folder `from` (both made absolute first), for links that work
    /// when the page is opened from disk; `..` where the target is not below the folder.
    static func relativePath(_ target: String, from folder: String) -> String {
        let t = absolute(target).split(separator: "/").map(String.init)
        let f = absolute(folder).split(separator: "/").map(String.init)
        var common = 0
        while common < t.count && common < f.count && t[common] == f[common] { common += 1 }
        let up = [String](repeating: "..", count: f.count - common)
        let path = (up + t[common...]).joined(separator: "/")
        return path.isEmpty ? "." : path
    }

    static func absolute(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }

    /// A link's `href`: each path component percent-encoded.
    static func href(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: false).map {
            $0.addingPercentEncoding(
                withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/")))
                ?? String($0)
        }.joined(separator: "/")
    }
}
