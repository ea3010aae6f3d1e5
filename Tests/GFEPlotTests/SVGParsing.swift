import Foundation

#if canImport(FoundationXML)
import FoundationXML
#endif

/// An element of a parsed SVG document: name, attributes and the text directly inside it.
struct ParsedElement {
    let name: String
    let attributes: [String: String]
    var text: String
    /// Names of the enclosing elements, outermost first.
    let ancestors: [String]
    /// The `class` attributes of the enclosing elements.
    let ancestorClasses: [String]
}

/// Parses XML with Foundation's XMLParser; nil when the document is not well-formed.
func parseXML(_ document: String) -> [ParsedElement]? {
    final class Collector: NSObject, XMLParserDelegate {
        var elements: [ParsedElement] = []
        var stack: [Int] = []
        func parser(
            _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
            attributes: [String: String] = [:]
        ) {
            let ancestors = stack.map { elements[$0].name }
            let classes = stack.compactMap { elements[$0].attributes["class"] }
            elements.append(
                ParsedElement(
                    name: name, attributes: attributes, text: "", ancestors: ancestors, ancestorClasses: classes))
            stack.append(elements.count - 1)
        }
        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            stack.removeLast()
        }
        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if let top = stack.last { elements[top].text += string }
        }
    }
    let parser = XMLParser(data: Data(document.utf8))
    let collector = Collector()
    parser.delegate = collector
    return parser.parse() ? collector.elements : nil
}
