import Foundation
import GFETestSupport
import Testing

@testable import GFEPlot

@Suite("SVG line plots")
struct LinePlotTests {
    private func plot() -> LinePlot {
        LinePlot(
            title: "Validation loss <MNIST> & \"friends\"",
            x: PlotAxis("images seen"), y: PlotAxis("validation loss", scale: .logarithmic),
            series: [
                PlotSeries(label: "AE (seed=1)", x: [0, 100, 200, 300], y: [0.5, 0.3, 0.2, 0.15]),
                PlotSeries(
                    label: "GFE-amd {\"method\":\"amd\"}", x: [0, 100, 200, 300, 400], y: [0.4, .nan, 0.12, 0.1, 0.09]),
                PlotSeries(label: "negative values are gaps on a log axis", x: [0, 100, 200], y: [0.2, -1, 0.25])
            ])
    }

    @Test("The SVG is well-formed XML with one group per series and the legend's labels, escaped")
    func wellFormedWithSeriesAndLegend() throws {
        let svg = try plot().svg()
        let elements = try #require(parseXML(svg), "not well-formed XML:\n\(svg)")
        #expect(elements.first?.name == "svg")
        let series = elements.filter { $0.name == "g" && $0.attributes["class"] == "series" }
        #expect(series.map { $0.attributes["data-label"] ?? "" } == plot().series.map(\.label))
        let legend = elements.filter { $0.attributes["class"] == "legend-entry" }.map(\.text)
        #expect(legend == plot().series.map(\.label))
        #expect(
            elements.contains {
                $0.attributes["class"] == "title" && $0.text == "Validation loss <MNIST> & \"friends\""
            })
        #expect(elements.contains { $0.attributes["class"] == "x-label" && $0.text == "images seen" })
        #expect(elements.contains { $0.attributes["class"] == "y-label" && $0.text == "validation loss" })
    }

    @Test("A title too long for the figure is set smaller, centred on the figure, so that it fits its width")
    func longTitleFits() throws {
        let long = String(repeating: "method=gfe budget.epochs=1 ", count: 4)
        for (title, shrinks) in [("Validation loss", false), (long, true)] {
            var p = plot()
            p.title = title
            let svg = try p.svg()
            let elements = try #require(parseXML(svg))
            let width = try #require(elements.first?.attributes["width"].flatMap(Double.init))
            let text = try #require(elements.first { $0.attributes["class"] == "title" })
            let size = try #require(text.attributes["font-size"].flatMap(Double.init))
            #expect(size * PlotFrame.characterWidth * Double(title.count) <= width || !shrinks)
            #expect((size < 1.15 * p.fontSize) == shrinks, "font size \(size) for \(title.count) characters")
            #expect(text.attributes["x"].flatMap(Double.init) == width / 2)
        }
    }

    @Test("Series have distinct colour/dash combinations, dashes differ for the first six")
    func distinctStyles() {
        let styles = (0..<6).map { SeriesStyle.palette($0) }
        #expect(Set(styles.map(\.dash.description)).count == 6)
        #expect(Set((0..<210).map { "\(SeriesStyle.palette($0))" }).count == 210)
    }

    @Test("NaN and (on a log axis) non-positive values break the line into separate pieces")
    func gaps() throws {
        let elements = try #require(parseXML(try plot().svg()))
        func paths(_ label: String) -> [String] {
            // Paths inside the series group with this label.
            let start = elements.firstIndex { $0.attributes["data-label"] == label }!
            return elements[(start + 1)...].prefix { $0.attributes["class"] != "series" }.filter { $0.name == "path" }
                .compactMap { $0.attributes["d"] }
        }
        let first = paths("AE (seed=1)")
        let second = paths("GFE-amd {\"method\":\"amd\"}")
        #expect(
            first.count == 1 && first[0].filter { $0 == "M" }.count == 1 && first[0].filter { $0 == "L" }.count == 3)
        // 0.5 | gap | 0.12, 0.1, 0.09: the first point is isolated (a marker, no line), then one piece of 3 points.
        #expect(
            second.count == 1 && second[0].filter { $0 == "M" }.count == 1 && second[0].filter { $0 == "L" }.count == 2)
        // Both remaining points of the third series are isolated: no path at all.
        #expect(paths("negative values are gaps on a log axis").isEmpty)
    }

    @Test("Points map linearly / logarithmically into the plot rectangle")
    func coordinates() throws {
        let p = LinePlot(
            x: PlotAxis("x", limits: 0...10), y: PlotAxis("y", scale: .logarithmic, limits: 1...100),
            series: [PlotSeries(label: "", x: [0, 5, 10], y: [1, 10, 100], markers: .never)])
        let elements = try #require(parseXML(try p.svg()))
        let frame = try #require(elements.first { $0.name == "rect" && $0.ancestorClasses.last == "axes" })
        let (left, top) = (Double(frame.attributes["x"]!)!, Double(frame.attributes["y"]!)!)
        let (w, h) = (Double(frame.attributes["width"]!)!, Double(frame.attributes["height"]!)!)
        let d = try #require(
            elements.first { $0.name == "path" && $0.ancestorClasses.last == "series" }?.attributes["d"])
        let numbers = d.split(whereSeparator: { "ML ".contains($0) }).map { Double($0)! }
        // (0, 1) bottom left, (5, 10) centre (10 is half way between 1 and 100 in log), (10, 100) top right.
        let expected = [left, top + h, left + w / 2, top + h / 2, left + w, top]
        #expect(numbers.count == 6)
        for (a, e) in zip(numbers, expected) { #expect(abs(a - e) <= 0.01) }
    }

    @Test("A plot without drawable data still renders, saying so")
    func empty() throws {
        let p = LinePlot(
            title: "nothing", x: PlotAxis("x"), y: PlotAxis("y"),
            series: [PlotSeries(label: "all NaN", x: [1, 2], y: [.nan, .nan])])
        let elements = try #require(parseXML(try p.svg()))
        #expect(elements.contains { $0.attributes["class"] == "no-data" })
    }

    @Test("Mismatched x and y counts are a clear error")
    func mismatch() {
        let p = LinePlot(x: PlotAxis("x"), y: PlotAxis("y"), series: [PlotSeries(label: "bad", x: [1, 2], y: [1])])
        #expect(throws: (any Error).self) { try p.svg() }
    }

    @Test("A long legend moves below the plot and the figure grows")
    func longLegend() throws {
        let label = String(repeating: "encoder={\"method\":\"fixedGrid\"} ", count: 3)
        let p = LinePlot(
            x: PlotAxis("x"), y: PlotAxis("y"),
            series: (0..<4).map { PlotSeries(label: label + "\($0)", x: [0, 1], y: [0, 1]) })
        let elements = try #require(parseXML(try p.svg()))
        let svg = elements[0]
        #expect(Double(svg.attributes["height"]!)! > 500)
    }

    @Test("python3's xml.etree parses the written file", .enabled(if: Python.available, "python3 is not installed"))
    func pythonParses() throws {
        let dir = try TestPaths.temporaryFolder("gfeplot-tests")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try plot().svg().write(toFile: dir + "/plot.svg", atomically: false, encoding: .utf8)
        let out = try Python.run(
            """
            import sys, xml.etree.ElementTree as ET
            root = ET.parse(sys.argv[1]).getroot()
            ns = '{http://www.w3.org/2000/svg}'
            print(root.tag == ns + 'svg', len([g for g in root.iter(ns + 'g') if g.get('class') == 'series']))
            """, [dir + "/plot.svg"])
        #expect(out == "True 3\n")
    }
}
