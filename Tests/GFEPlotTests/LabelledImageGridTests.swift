import Foundation
import Testing

@testable import GFEPlot

@Suite("Labelled image grids")
struct LabelledImageGridTests {
    @Test("The SVG embeds the PNG's own bytes and puts each label at its row's centre")
    func labelsAndEmbeddedImage() throws {
        let grid = ImageGrid(imageWidth: 3, imageHeight: 2, gap: 1, margin: 1, scale: 2)
        let cells: [[Float]] = (0..<6).map { Array(repeating: Float($0) / 5, count: 6) }
        let png = try grid.render(cells, rows: 3, columns: 2)
        let figure = LabelledImageGrid(title: "test <grid>", rowLabels: ["originals", "ae", "gfe & more"])
        let elements = try #require(parseXML(try figure.svg(png: png, grid: grid)), "not well-formed XML")
        let image = try #require(elements.first { $0.name == "image" })
        let href = try #require(image.attributes["href"])
        #expect(href.hasPrefix("data:image/png;base64,"))
        #expect(Data(base64Encoded: String(href.dropFirst("data:image/png;base64,".count))) == Data(try png.encoded()))
        #expect(image.attributes["width"] == String(png.width) && image.attributes["height"] == String(png.height))
        let texts = elements.filter { $0.name == "text" }
        #expect(texts.map(\.text) == ["test <grid>", "originals", "ae", "gfe & more"])
        // Row r's pixels (before scaling) span margin + r·(height + gap) …+ height: centres at 2, 5, 8 → 4, 10, 16 px.
        let top = try #require(Double(image.attributes["y"]!))
        let centres = texts.dropFirst().map { Double($0.attributes["y"]!)! - top - 0.35 * figure.fontSize }
        for (c, expected) in zip(centres, [4.0, 10, 16]) { #expect(abs(c - expected) < 0.01) }
    }
}
