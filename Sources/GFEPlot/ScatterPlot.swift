import GFECore

/// A scatter plot of labelled points written as SVG (for t-SNE embeddings): each point a small marker
/// coloured by its integer label, with a legend of the labels in increasing order.
///
/// The k-th distinct label (in increasing order) gets colour k mod 10 of `SeriesStyle.categoricalColours`
/// and marker shape k mod 5, filled for k mod 10 < 5 and hollow otherwise, so ten classes stay
/// distinguishable without colour. With `equalAspect`, one unit is the same length on both axes.
public struct ScatterPlot: Sendable {
    public var title: String
    public var x: PlotAxis
    public var y: PlotAxis
    public var xValues: [Double]
    public var yValues: [Double]
    public var labels: [Int]
    /// Legend text per label; labels without an entry show their number.
    public var labelNames: [Int: String]
    public var equalAspect: Bool
    public var showTickLabels: Bool
    public var pointRadius: Double
    public var width: Double
    public var height: Double
    public var fontSize: Double

    public init(
        title: String = "", x: PlotAxis = PlotAxis(""), y: PlotAxis = PlotAxis(""),
        xValues: [Double], yValues: [Double], labels: [Int], labelNames: [Int: String] = [:],
        equalAspect: Bool = true, showTickLabels: Bool = true, pointRadius: Double = 2.6,
        width: Double = 700, height: Double = 600, fontSize: Double = 14
    ) {
        self.title = title
        self.x = x
        self.y = y
        self.xValues = xValues
        self.yValues = yValues
        self.labels = labels
        self.labelNames = labelNames
        self.equalAspect = equalAspect
        self.showTickLabels = showTickLabels
        self.pointRadius = pointRadius
        self.width = width
        self.height = height
        self.fontSize = fontSize
    }

    /// The marker of the k-th distinct label.
    public static func style(rank k: Int) -> (colour: String, shape: MarkerShape, hollow: Bool) {
        let colours = SeriesStyle.categoricalColours
        return (colours[k % colours.count], MarkerShape.allCases[k % MarkerShape.allCases.count], k % 10 >= 5)
    }

    /// The SVG document. Throws `badInput` when the coordinate and label arrays differ in length.
    public func svg() throws -> String {
        guard xValues.count == yValues.count, yValues.count == labels.count else {
            throw GFEError.badInput(
                "Scatter plot \"\(title)\": \(xValues.count) x values, \(yValues.count) y values and \(labels.count) labels; expected equal counts."
            )
        }
        let distinct = Array(Set(labels)).sorted()
        let rank = Dictionary(uniqueKeysWithValues: distinct.enumerated().map { ($1, $0) })
        let legend = distinct.map { label -> PlotFrame.LegendEntry in
            let s = Self.style(rank: rank[label]!)
            return PlotFrame.LegendEntry(
                text: labelNames[label] ?? String(label), sample: .marker(s.shape, colour: s.colour, hollow: s.hollow))
        }
        let drawable = xValues.indices.filter { x.accepts(xValues[$0]) && y.accepts(yValues[$0]) }
        let xs = drawable.map { xValues[$0] }
        let ys = drawable.map { yValues[$0] }
        let (xAxis, yAxis, equal) = (x, y, equalAspect && x.scale == .linear && y.scale == .linear)

        let frame = PlotFrame(
            width: width, height: height, fontSize: fontSize, hasTitle: !title.isEmpty, legend: legend,
            tickLabels: showTickLabels
        ) { w, h in
            var xLimits = xAxis.limits
            var yLimits = yAxis.limits
            if equal, xLimits == nil, yLimits == nil, let x0 = xs.min(), let x1 = xs.max(), let y0 = ys.min(),
                let y1 = ys.max()
            {
                // Same units per pixel on both axes: widen the narrower range about its centre, with a 4 % margin.
                let unitsPerPixel = max((x1 - x0) / w, (y1 - y0) / h, 1e-12) * 1.04
                let cx = (x0 + x1) / 2
                let cy = (y0 + y1) / 2
                xLimits = (cx - unitsPerPixel * w / 2)...(cx + unitsPerPixel * w / 2)
                yLimits = (cy - unitsPerPixel * h / 2)...(cy + unitsPerPixel * h / 2)
            }
            return (
                AxisTicks.make(
                    scale: xAxis.scale, dataMin: xs.min() ?? .nan, dataMax: xs.max() ?? .nan,
                    fixed: xLimits, target: max(3, min(8, Int(w / 90)))),
                AxisTicks.make(
                    scale: yAxis.scale, dataMin: ys.min() ?? .nan, dataMax: ys.max() ?? .nan,
                    fixed: yLimits, target: max(3, min(8, Int(h / 60))))
            )
        }

        var svg = SVGWriter(width: frame.width, height: frame.height, fontSize: fontSize)
        if !title.isEmpty { svg.element("title", [:], content: SVGWriter.escape(title)) }
        frame.drawAxes(&svg, title: title, xLabel: x.label, yLabel: y.label, showTickLabels: showTickLabels)
        frame.clipPath(&svg, id: "plot-area")
        svg.open("g", ["clip-path": "url(#plot-area)", "class": "points", "fill-opacity": "0.85"])
        for i in drawable {
            let s = Self.style(rank: rank[labels[i]]!)
            svg.raw(
                markerMarkup(
                    s.shape, x: frame.px(xValues[i]), y: frame.py(yValues[i]), r: pointRadius,
                    fill: s.hollow ? "white" : s.colour, stroke: s.colour, strokeWidth: s.hollow ? 1.2 : 0.4))
        }
        svg.close("g")
        frame.drawLegend(&svg)
        return svg.finish()
    }
}
