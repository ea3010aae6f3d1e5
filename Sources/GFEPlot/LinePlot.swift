import Foundation
import GFECore

/// One curve of a line plot: points (x[i], y[i]) joined in order. A point that cannot be placed (NaN or
/// infinite, or ≤ 0 on a logarithmic axis) breaks the line: the curve resumes at the next good point.
public struct PlotSeries: Sendable, Equatable {
    public enum Markers: Sendable, Equatable {
        /// Markers when the series has at most `LinePlot.automaticMarkerLimit` drawable points.
        case automatic
        case always
        case never
    }

    /// The legend text; an empty label leaves the series out of the legend.
    public var label: String
    public var x: [Double]
    public var y: [Double]
    /// nil: the palette's style for the series' position in the plot.
    public var style: SeriesStyle?
    public var markers: Markers

    public init(label: String, x: [Double], y: [Double], style: SeriesStyle? = nil, markers: Markers = .automatic) {
        self.label = label
        self.x = x
        self.y = y
        self.style = style
        self.markers = markers
    }
}

/// A line plot written as SVG: several series with a legend, axis labels, a title, linear or logarithmic
/// axes with nice ticks (`AxisTicks`), distinct colours and dash patterns (`SeriesStyle.palette`) and gaps
/// at undrawable points. Lines are clipped to the plot rectangle, so fixed axis limits may cut curves.
public struct LinePlot: Sendable {
    public var title: String
    public var x: PlotAxis
    public var y: PlotAxis
    public var series: [PlotSeries]
    /// Figure size in px (the height grows when a wide legend moves below the plot).
    public var width: Double
    public var height: Double
    public var fontSize: Double

    public static let automaticMarkerLimit = 40

    public init(
        title: String = "", x: PlotAxis, y: PlotAxis, series: [PlotSeries] = [],
        width: Double = 800, height: Double = 500, fontSize: Double = 14
    ) {
        self.title = title
        self.x = x
        self.y = y
        self.series = series
        self.width = width
        self.height = height
        self.fontSize = fontSize
    }

    /// The SVG document. Throws `badInput` when a series has different numbers of x and y values.
    public func svg() throws -> String {
        for s in series where s.x.count != s.y.count {
            throw GFEError.badInput(
                "Line plot \"\(title)\": series \"\(s.label)\" has \(s.x.count) x values but \(s.y.count) y values.")
        }
        let styles = series.indices.map { series[$0].style ?? SeriesStyle.palette($0) }
        let drawableCounts = series.map { s in zip(s.x, s.y).filter { x.accepts($0.0) && y.accepts($0.1) }.count }
        let showMarkers = series.indices.map { i -> Bool in
            switch series[i].markers {
            case .always: return true
            case .never: return false
            case .automatic: return drawableCounts[i] <= Self.automaticMarkerLimit
            }
        }

        var xs: [Double] = []
        var ys: [Double] = []
        for s in series {
            for (a, b) in zip(s.x, s.y) where x.accepts(a) && y.accepts(b) {
                xs.append(a)
                ys.append(b)
            }
        }
        let xAxis = x
        let yAxis = y
        let legend = series.indices.filter { !series[$0].label.isEmpty }.map {
            PlotFrame.LegendEntry(text: series[$0].label, sample: .line(styles[$0], markers: showMarkers[$0]))
        }
        let frame = PlotFrame(
            width: width, height: height, fontSize: fontSize, hasTitle: !title.isEmpty, legend: legend
        ) { w, h in
            (
                AxisTicks.make(
                    scale: xAxis.scale, dataMin: xs.min() ?? .nan, dataMax: xs.max() ?? .nan, fixed: xAxis.limits,
                    target: max(3, min(8, Int(w / 90)))),
                AxisTicks.make(
                    scale: yAxis.scale, dataMin: ys.min() ?? .nan, dataMax: ys.max() ?? .nan, fixed: yAxis.limits,
                    target: max(3, min(8, Int(h / 60))))
            )
        }

        var svg = SVGWriter(width: frame.width, height: frame.height, fontSize: fontSize)
        if !title.isEmpty { svg.element("title", [:], content: SVGWriter.escape(title)) }
        frame.drawAxes(&svg, title: title, xLabel: x.label, yLabel: y.label)
        frame.clipPath(&svg, id: "plot-area")
        svg.open("g", ["clip-path": "url(#plot-area)"])
        for (i, s) in series.enumerated() {
            drawSeries(s, style: styles[i], markers: showMarkers[i], frame: frame, into: &svg)
        }
        svg.close("g")
        if xs.isEmpty {
            svg.element(
                "text",
                [
                    "x": n(frame.left + frame.plotWidth / 2), "y": n(frame.top + frame.plotHeight / 2),
                    "text-anchor": "middle", "fill": "#777777", "class": "no-data"
                ], content: "no data")
        }
        frame.drawLegend(&svg)
        return svg.finish()
    }

    private func drawSeries(
        _ s: PlotSeries, style: SeriesStyle, markers: Bool, frame: PlotFrame, into svg: inout SVGWriter
    ) {
        // Segments of consecutive drawable points.
        var segments: [[(Double, Double)]] = []
        var current: [(Double, Double)] = []
        for (a, b) in zip(s.x, s.y) {
            if x.accepts(a) && y.accepts(b) {
                current.append((frame.px(a), frame.py(b)))
            } else if !current.isEmpty {
                segments.append(current)
                current = []
            }
        }
        if !current.isEmpty { segments.append(current) }

        svg.open("g", ["class": "series", "data-label": s.label])
        var d = ""
        for segment in segments where segment.count > 1 {
            d += "M\(n(segment[0].0)) \(n(segment[0].1))"
            var last = (n(segment[0].0), n(segment[0].1))
            for p in segment.dropFirst() {
                let here = (n(p.0), n(p.1))
                if here != last {
                    d += "L\(here.0) \(here.1)"
                    last = here
                }
            }
        }
        if !d.isEmpty {
            svg.element(
                "path",
                [
                    "d": d, "fill": "none", "stroke": style.colour, "stroke-width": n(style.lineWidth),
                    "stroke-dasharray": dashAttribute(style.dash), "stroke-linejoin": "round"
                ])
        }
        // Markers everywhere when asked; isolated points (one-point segments) always, or they would vanish.
        let r = 3 + style.lineWidth / 2
        for segment in segments where markers || segment.count == 1 {
            for p in segment {
                svg.raw(markerMarkup(style.marker, x: p.0, y: p.1, r: r, fill: style.colour, stroke: "white"))
            }
        }
        svg.close("g")
    }
}
