import Testing

@testable import GFEPlot

@Suite("SVG scatter plots")
struct ScatterPlotTests {
    @Test("Well-formed, one marker per point, legend in label order with names, ten distinct label styles")
    func scatter() throws {
        let labels = [3, 1, 3, 0, 1, 9]
        let plot = ScatterPlot(
            title: "t-SNE", xValues: [0, 1, 2, 3, 4, .nan], yValues: [0, 1, 0, 1, 0, 1],
            labels: labels, labelNames: [9: "ankle boot"])
        let elements = try #require(parseXML(try plot.svg()))
        let points = elements.filter { $0.ancestorClasses.last == "points" }
        #expect(points.count == 5)  // the NaN point is left out
        let legend = elements.filter { $0.attributes["class"] == "legend-entry" }.map(\.text)
        #expect(legend == ["0", "1", "3", "ankle boot"])
        let styles = (0..<10).map { ScatterPlot.style(rank: $0) }
        #expect(Set(styles.map { "\($0.colour)\($0.shape)\($0.hollow)" }).count == 10)
        #expect(Set(styles.map { "\($0.shape)\($0.hollow)" }).count == 10)  // distinguishable without colour
    }

    @Test("Equal aspect: one data unit spans the same number of pixels on both axes")
    func equalAspect() throws {
        let plot = ScatterPlot(xValues: [0, 10], yValues: [0, 1], labels: [0, 1])
        let elements = try #require(parseXML(try plot.svg()))
        let circles = elements.filter { $0.ancestorClasses.last == "points" }
        #expect(circles.count == 2)
        // Point 0 is a circle at (0, 0); point 1 a square centred at (10, 1): compare x and y pixel distances.
        let c = circles[0].attributes
        let s = circles[1].attributes
        let (x0, y0) = (Double(c["cx"]!)!, Double(c["cy"]!)!)
        let half = Double(s["width"]!)! / 2
        let (x1, y1) = (Double(s["x"]!)! + half, Double(s["y"]!)! + half)
        #expect(abs((x1 - x0) / 10 - (y0 - y1) / 1) < 0.01)
    }

    @Test("Mismatched arrays are a clear error")
    func mismatch() {
        #expect(throws: (any Error).self) { try ScatterPlot(xValues: [1], yValues: [1, 2], labels: [0]).svg() }
    }
}
