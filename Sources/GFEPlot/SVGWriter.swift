/// Builds an SVG document as text: elements with escaped attributes and text, numbers rounded to 0.01 px.
struct SVGWriter {
    private(set) var text = ""

    init(width: Double, height: Double, fontSize: Double) {
        text += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        text +=
            "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"\(n(width))\" height=\"\(n(height))\" "
        text += "viewBox=\"0 0 \(n(width)) \(n(height))\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" "
        text += "font-size=\"\(n(fontSize))\">\n"
        element("rect", ["x": "0", "y": "0", "width": n(width), "height": n(height), "fill": "white"])
    }

    /// `<name a="v" …/>`, attributes in the given order.
    mutating func element(_ name: String, _ attributes: KeyValuePairs<String, String>, content: String? = nil) {
        text += "<\(name)"
        for (k, v) in attributes { text += " \(k)=\"\(Self.escape(v))\"" }
        if let content { text += ">\(content)</\(name)>\n" } else { text += "/>\n" }
    }

    mutating func open(_ name: String, _ attributes: KeyValuePairs<String, String> = [:]) {
        text += "<\(name)"
        for (k, v) in attributes { text += " \(k)=\"\(Self.escape(v))\"" }
        text += ">\n"
    }

    mutating func close(_ name: String) { text += "</\(name)>\n" }

    /// Raw, already well-formed markup.
    mutating func raw(_ markup: String) { text += markup }

    /// A text element; `label.exponent` becomes a raised, smaller `tspan`.
    mutating func label(
        _ label: TickLabel, x: Double, y: Double, anchor: String, extra: KeyValuePairs<String, String> = [:]
    ) {
        var content = Self.escape(label.text)
        if let e = label.exponent {
            content += "<tspan dy=\"-0.45em\" font-size=\"75%\">\(Self.escape(e))</tspan>"
        }
        text += "<text x=\"\(n(x))\" y=\"\(n(y))\" text-anchor=\"\(anchor)\""
        for (k, v) in extra { text += " \(k)=\"\(Self.escape(v))\"" }
        text += ">\(content)</text>\n"
    }

    mutating func finish() -> String {
        text += "</svg>\n"
        return text
    }

    /// XML text and attribute escaping (&, <, >, ", ').
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for ch in s.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default:
                // Control characters other than tab and newline are not allowed in XML 1.0.
                if ch.value < 0x20 && ch != "\t" && ch != "\n" { out += " " } else { out.unicodeScalars.append(ch) }
            }
        }
        return out
    }
}

/// A coordinate rounded to 0.01, printed without a trailing ".0" for whole numbers.
func n(_ v: Double) -> String {
    let r = (v * 100).rounded() / 100
    if r == r.rounded(), abs(r) < 1e15 { return String(Int(r)) }
    return "\(r)"
}
