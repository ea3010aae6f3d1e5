/// The layout shared by line and scatter plots: figure size, plot rectangle, axes with grid, ticks, labels,
/// title and a legend to the right of the plot or below it.
struct PlotFrame {
    /// What a legend entry shows before its text.
    enum Sample {
        case line(SeriesStyle, markers: Bool)
        case marker(MarkerShape, colour: String, hollow: Bool)
    }
    struct LegendEntry {
        let text: String
        let sample: Sample
    }

    let fontSize: Double
    let width: Double
    let height: Double
    let left: Double, top: Double, plotWidth: Double, plotHeight: Double
    let xTicks: AxisTicks, yTicks: AxisTicks
    let legend: [LegendEntry]
    let legendBelow: Bool
    let legendColumnWidth: Double

    static let characterWidth = 0.6  // average glyph advance in font sizes (generous, for DejaVu Sans)
    static let sampleWidth = 40.0

    /// Plans a figure of about `width` × `height` px (the height grows when the legend goes below).
    /// `ticks(plotWidth, plotHeight)` computes the axes once the plot rectangle is known.
    init(
        width: Double, height: Double, fontSize: Double, hasTitle: Bool, legend: [LegendEntry], tickLabels: Bool = true,
        ticks: (Double, Double) -> (AxisTicks, AxisTicks)
    ) {
        self.fontSize = fontSize
        self.legend = legend
        let lineHeight = 1.5 * fontSize
        let longest = legend.map { Double($0.text.count) }.max() ?? 0
        legendColumnWidth = Self.sampleWidth + 10 + longest * Self.characterWidth * fontSize + 12
        legendBelow = !legend.isEmpty && legendColumnWidth > 0.38 * width
        let legendRight = legend.isEmpty || legendBelow ? 0 : legendColumnWidth + 16

        let top = hasTitle ? 2.6 * fontSize : 1.0 * fontSize
        let bottom = 4.2 * fontSize
        var right = 20 + legendRight
        // Two passes: the left margin depends on the y tick labels, which depend on the plot height only.
        var left = 3 * fontSize + 4 * Self.characterWidth * fontSize
        var plotW = max(width - left - right, 80)
        let plotH = max(height - top - bottom, 60)
        var (xt, yt) = ticks(plotW, plotH)
        let yLabelChars = tickLabels ? yt.labels.map(\.visualLength).max() ?? 1 : 0
        left = 2.2 * fontSize + yLabelChars * Self.characterWidth * fontSize + 14
        plotW = max(width - left - right, 80)
        (xt, yt) = ticks(plotW, plotH)
        // Room for half of the last x tick label, which is centred on the right edge.
        let overhang = tickLabels ? 0.5 * (xt.labels.last?.visualLength ?? 0) * Self.characterWidth * fontSize + 6 : 0
        if overhang > right {
            right = overhang
            plotW = max(width - left - right, 80)
            (xt, yt) = ticks(plotW, plotH)
        }
        var figureHeight = height
        if legendBelow {
            figureHeight += Double(legend.count) * lineHeight + 0.8 * fontSize
        }
        self.width = max(width, left + plotW + right)
        self.height = figureHeight
        self.left = left
        self.top = top
        self.plotWidth = plotW
        self.plotHeight = plotH
        self.xTicks = xt
        self.yTicks = yt
    }

    func px(_ x: Double) -> Double { left + xTicks.fraction(of: x) * plotWidth }
    func py(_ y: Double) -> Double { top + (1 - yTicks.fraction(of: y)) * plotHeight }

    /// Background grid, frame, ticks, tick labels, axis labels and title; `showTickLabels` false hides the
    /// tick labels (for embeddings whose coordinates mean nothing).
    func drawAxes(_ svg: inout SVGWriter, title: String, xLabel: String, yLabel: String, showTickLabels: Bool = true) {
        let right = left + plotWidth
        let bottom = top + plotHeight
        svg.open("g", ["class": "grid", "stroke": "#E3E3E3", "stroke-width": "1"])
        for v in xTicks.values {
            let x = px(v)
            svg.element("line", ["x1": n(x), "y1": n(top), "x2": n(x), "y2": n(bottom)])
        }
        for v in yTicks.values {
            let y = py(v)
            svg.element("line", ["x1": n(left), "y1": n(y), "x2": n(right), "y2": n(y)])
        }
        svg.close("g")

        svg.open("g", ["class": "axes", "fill": "#222222"])
        svg.element(
            "rect",
            [
                "x": n(left), "y": n(top), "width": n(plotWidth), "height": n(plotHeight),
                "fill": "none", "stroke": "#333333", "stroke-width": "1"
            ])
        for (v, label) in zip(xTicks.values, xTicks.labels) {
            let x = px(v)
            svg.element("line", ["x1": n(x), "y1": n(bottom), "x2": n(x), "y2": n(bottom + 5), "stroke": "#333333"])
            if showTickLabels { svg.label(label, x: x, y: bottom + 6 + fontSize, anchor: "middle") }
        }
        for (v, label) in zip(yTicks.values, yTicks.labels) {
            let y = py(v)
            svg.element("line", ["x1": n(left - 5), "y1": n(y), "x2": n(left), "y2": n(y), "stroke": "#333333"])
            if showTickLabels { svg.label(label, x: left - 8, y: y + 0.35 * fontSize, anchor: "end") }
        }
        svg.label(
            TickLabel(xTicks.axisLabel(xLabel)), x: left + plotWidth / 2, y: bottom + 6 + 2.6 * fontSize,
            anchor: "middle",
            extra: ["class": "x-label"])
        let yx = 1.2 * fontSize
        let yy = top + plotHeight / 2
        svg.label(
            TickLabel(yTicks.axisLabel(yLabel)), x: yx, y: yy, anchor: "middle",
            extra: ["class": "y-label", "transform": "rotate(-90 \(n(yx)) \(n(yy)))"])
        if !title.isEmpty {
            svg.label(
                TickLabel(title), x: width / 2, y: 1.6 * fontSize, anchor: "middle",
                extra: ["class": "title", "font-size": n(titleFontSize(title)), "font-weight": "bold"])
        }
        svg.close("g")
    }

    /// The title's font size: 1.15 font sizes, smaller for a title that would not fit the figure's width
    /// (long run labels), down to 0.6 font sizes.
    func titleFontSize(_ title: String) -> Double {
        let fitting = (width - fontSize) / (Self.characterWidth * Double(max(title.count, 1)))
        return max(0.6 * fontSize, min(1.15 * fontSize, fitting))
    }

    /// A clip path named `id` around the plot rectangle.
    func clipPath(_ svg: inout SVGWriter, id: String) {
        svg.raw(
            "<defs><clipPath id=\"\(id)\"><rect x=\"\(n(left))\" y=\"\(n(top))\" width=\"\(n(plotWidth))\" height=\"\(n(plotHeight))\"/></clipPath></defs>\n"
        )
    }

    func drawLegend(_ svg: inout SVGWriter) {
        guard !legend.isEmpty else { return }
        let lineHeight = 1.5 * fontSize
        let boxX = legendBelow ? left : left + plotWidth + 16
        let boxY = legendBelow ? top + plotHeight + 4.2 * fontSize : top
        let boxH = Double(legend.count) * lineHeight + 0.6 * fontSize
        svg.open("g", ["class": "legend"])
        svg.element(
            "rect",
            [
                "x": n(boxX), "y": n(boxY), "width": n(legendColumnWidth), "height": n(boxH),
                "fill": "white", "stroke": "#BBBBBB", "stroke-width": "1"
            ])
        for (i, entry) in legend.enumerated() {
            let y = boxY + 0.3 * fontSize + (Double(i) + 0.5) * lineHeight
            let x0 = boxX + 8
            let x1 = x0 + Self.sampleWidth - 8
            switch entry.sample {
            case .line(let style, let markers):
                svg.element(
                    "line",
                    [
                        "x1": n(x0), "y1": n(y), "x2": n(x1), "y2": n(y), "stroke": style.colour,
                        "stroke-width": n(style.lineWidth), "stroke-dasharray": dashAttribute(style.dash)
                    ])
                if markers {
                    svg.raw(
                        markerMarkup(
                            style.marker, x: (x0 + x1) / 2, y: y, r: 3 + style.lineWidth / 2,
                            fill: style.colour, stroke: "white"))
                }
            case .marker(let shape, let colour, let hollow):
                svg.raw(
                    markerMarkup(
                        shape, x: (x0 + x1) / 2, y: y, r: 4.5, fill: hollow ? "white" : colour,
                        stroke: colour, strokeWidth: hollow ? 1.6 : 0.6))
            }
            svg.element(
                "text", ["x": n(boxX + Self.sampleWidth + 10), "y": n(y + 0.35 * fontSize), "class": "legend-entry"],
                content: SVGWriter.escape(entry.text))
        }
        svg.close("g")
    }
}

/// The `stroke-dasharray` value: "none" for solid lines.
func dashAttribute(_ dash: [Double]) -> String { dash.isEmpty ? "none" : dash.map(n).joined(separator: " ") }
