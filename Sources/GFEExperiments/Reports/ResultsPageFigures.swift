import Foundation

/// An experiment's `figures/` folder as HTML for the report page, every image inside the page.
///
/// `figures/index.md` (written by `gfe plot`) lists figures in a markdown table `| file | shows |`; each
/// figure is one stem (`test_loss-vs-images_seen`) with up to three files, `.png`, `.svg` and `.pdf`. The page
/// shows one image per stem — the PNG as a base64 `data:` URI when there is one, else the SVG inline (its XML
/// prolog, doctype and scripts removed, its ids prefixed so that two figures' `plot-area` never collide) —
/// captioned with what the index says it shows (the file name for a figure the index does not list), with
/// links to its SVG and PDF. Listed figures come first in the index's order, then the others by name.
struct ResultsPageFigures {
    var folder: String
    /// The folder as the page links to it (relative to the page).
    var link: String
    /// Makes the ids of inline SVGs unique on the page.
    var idPrefix: String

    static let kinds = ["png", "svg", "pdf"]

    struct Figure {
        var stem: String
        /// Extension → file name.
        var files: [String: String]
        var caption: String?
    }

    /// The figures of the folder, in page order.
    func figures() -> [Figure] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter {
            !$0.hasPrefix(".")
        }
        var byStem: [String: Figure] = [:]
        for name in names {
            let ext = (name as NSString).pathExtension.lowercased()
            guard Self.kinds.contains(ext) else { continue }
            let stem = (name as NSString).deletingPathExtension
            byStem[stem, default: Figure(stem: stem, files: [:])].files[ext] = name
        }
        let listed = Self.index(folder + "/index.md")
        var order: [String] = []
        for entry in listed {
            let stem = (entry.file as NSString).deletingPathExtension
            guard var figure = byStem[stem] else { continue }
            if !order.contains(stem) { order.append(stem) }
            // The caption of the file that is shown (the PNG's rather than "labelled SVG of the PNG beside it").
            let ext = (entry.file as NSString).pathExtension.lowercased()
            if figure.caption == nil || ext == shownKind(figure) { figure.caption = entry.shows }
            byStem[stem] = figure
        }
        order += byStem.keys.filter { !order.contains($0) }.sorted()
        return order.compactMap { byStem[$0] }
    }

    private func shownKind(_ figure: Figure) -> String? { Self.kinds.first { figure.files[$0] != nil } }

    /// The rows of the figure table of an index.md — `| figure | files | shows |` as `gfe plot` writes it (the
    /// figure's stem), or an older `| file | shows |` (a markdown link's text or target, or the bare name) — and
    /// the text of the "shows" column. Other tables (the run list) are ignored.
    static func index(_ path: String) -> [(file: String, shows: String)] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        var rows: [(String, String)] = []
        var inTable = false
        var shows = 1
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix("|") else {
                inTable = false
                continue
            }
            let cells = cells(of: trimmed)
            let header = cells.map { $0.lowercased() }
            // `| figure | files | shows |` (one stem, its formats linked) or the older `| file | shows |`.
            if header == ["figure", "files", "shows"]
                || (header.count >= 2 && header[0] == "file" && header[1] == "shows")
            {
                shows = header.count == 3 ? 2 : 1
                inTable = true
                continue
            }
            guard inTable, cells.count > shows, !cells[0].allSatisfy({ $0 == "-" || $0 == ":" }) else { continue }
            rows.append((fileName(cells[0]), cells[shows]))
        }
        return rows
    }

    /// The cells of a markdown table row (`\|` is a literal bar).
    private static func cells(of line: String) -> [String] {
        var cells: [String] = []
        var current = ""
        var escaped = false
        for c in line.dropFirst() {
            if escaped {
                current.append(c)
                escaped = false
            } else if c == "\\" {
                escaped = true
            } else if c == "|" {
                cells.append(current.trimmingCharacters(in: .whitespaces))
                current = ""
            } else {
                current.append(c)
            }
        }
        if !current.trimmingCharacters(in: .whitespaces).isEmpty {
            cells.append(current.trimmingCharacters(in: .whitespaces))
        }
        return cells
    }

    /// `[name](target)` → target (without a fragment); `` `name` `` → name.
    private static func fileName(_ cell: String) -> String {
        if cell.hasPrefix("["), let open = cell.range(of: "]("), cell.hasSuffix(")") {
            let target = cell[open.upperBound..<cell.index(before: cell.endIndex)]
            return String(target.split(separator: "#").first ?? target)
        }
        return cell.trimmingCharacters(in: CharacterSet(charactersIn: "`"))
    }

    /// The figures as HTML (nothing when the folder has none).
    func html() -> String {
        var out = ""
        for (n, figure) in figures().enumerated() {
            let caption = figure.caption ?? shownKind(figure).flatMap { figure.files[$0] } ?? figure.stem
            var image = ""
            if let png = figure.files["png"] {
                if let data = FileManager.default.contents(atPath: folder + "/" + png) {
                    image =
                        "<img alt=\"\(HTMLText.escape(caption))\" src=\"data:image/png;base64,"
                        + data.base64EncodedString() + "\">"
                }
            } else if let svg = figure.files["svg"],
                let text = try? String(contentsOfFile: folder + "/" + svg, encoding: .utf8)
            {
                image = "<div class=\"svg\">" + Self.inlineSVG(text, idPrefix: "\(idPrefix)-\(n)-") + "</div>"
            }
            if image.isEmpty { image = "<p class=\"note\">(no PNG or SVG of this figure: see the links)</p>" }
            let links = Self.kinds.compactMap { kind -> String? in
                guard let file = figure.files[kind] else { return nil }
                return "<a href=\"\(HTMLText.escape(HTMLText.href(link + "/" + file)))\">\(kind.uppercased())</a>"
            }
            out +=
                "<figure class=\"figure\" id=\"\(HTMLText.escape(idPrefix))-fig-\(HTMLText.escape(HTMLText.anchor(figure.stem)))\">"
                + image
                + HTMLText.element(
                    "figcaption", [],
                    "<span class=\"file\">\(HTMLText.escape(figure.stem))</span> " + HTMLText.escape(caption)
                        + " <span class=\"links\">" + links.joined(separator: " · ") + "</span>")
                + "</figure>"
        }
        return out
    }

    /// An SVG file's text for inclusion in HTML: from its `<svg` on (the XML prolog, doctype and comments
    /// before it dropped), `<script>` elements removed, and every `id` prefixed with its references
    /// (`url(#id)`, `href="#id"`) so that figures on one page cannot take each other's clip paths or markers.
    static func inlineSVG(_ text: String, idPrefix: String) -> String {
        guard let start = text.range(of: "<svg") else { return "" }
        var svg = String(text[start.lowerBound...])
        while let open = svg.range(of: "<script"),
            let close = svg.range(of: "</script>", range: open.upperBound..<svg.endIndex)
        {
            svg.removeSubrange(open.lowerBound..<close.upperBound)
        }
        // Every id is the file's own and every local reference points at one of them, so prefixing all of
        // both in one pass each keeps them matched (`xlink:href="#…"` included).
        for (from, to) in [
            (" id=\"", " id=\"\(idPrefix)"), ("url(#", "url(#\(idPrefix)"), ("href=\"#", "href=\"#\(idPrefix)")
        ] {
            svg = svg.replacingOccurrences(of: from, with: to)
        }
        return svg
    }
}
