import Foundation

/// An image grid with a title above it and a label to the left of each row, as one self-contained SVG: the
/// grid's PNG is embedded (base64), so the labels travel with the pixels (paper figure 5 names its rows).
public struct LabelledImageGrid: Sendable {
    public var title: String
    /// One label per grid row, top to bottom.
    public var rowLabels: [String]
    public var fontSize = 13.0

    public init(title: String, rowLabels: [String]) {
        self.title = title
        self.rowLabels = rowLabels
    }

    /// The SVG for `png`, rendered by `grid` with `rowLabels.count` rows of the default layout
    /// (`ImageGrid.render`).
    public func svg(png: PNGImage, grid: ImageGrid) throws -> String {
        let widest = rowLabels.map(\.count).max() ?? 0
        // Label column: an average glyph is about 0.6 em wide in a sans-serif face.
        let labelWidth = Double(widest) * 0.6 * fontSize + 16
        let titleHeight = 2.2 * fontSize
        let width = labelWidth + Double(png.width)
        let height = titleHeight + Double(png.height)
        var svg = SVGWriter(width: width, height: height, fontSize: fontSize)
        svg.element(
            "text", ["x": n(width / 2), "y": n(1.5 * fontSize), "text-anchor": "middle", "font-weight": "bold"],
            content: SVGWriter.escape(title))
        svg.element(
            "image",
            [
                "x": n(labelWidth), "y": n(titleHeight), "width": String(png.width), "height": String(png.height),
                "style": "image-rendering: pixelated",
                "href": "data:image/png;base64," + Data(try png.encoded()).base64EncodedString()
            ])
        for (r, label) in rowLabels.enumerated() {
            let centre = Double(
                grid.scale * (grid.margin + r * (grid.imageHeight + grid.gap)) + grid.scale * grid.imageHeight / 2)
            svg.element(
                "text", ["x": n(labelWidth - 8), "y": n(titleHeight + centre + 0.35 * fontSize), "text-anchor": "end"],
                content: SVGWriter.escape(label))
        }
        return svg.finish()
    }
}
