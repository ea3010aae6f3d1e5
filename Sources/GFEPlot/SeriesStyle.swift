/// A marker drawn at data points (line plots with few points, scatter plots).
public enum MarkerShape: String, Sendable, CaseIterable {
    case circle, square, triangleUp, diamond, triangleDown
}

/// How a line series is drawn: colour, dash pattern, marker shape and line width.
///
/// `palette(_:)` combines seven colours (the Okabe–Ito colour-blind-safe set without its yellow, which
/// vanishes on white), six dash patterns and five marker shapes with coprime cycle lengths, so the first six
/// series differ in dash pattern (readable in greyscale) and the first 210 in at least one property.
public struct SeriesStyle: Sendable, Equatable {
    /// A CSS colour.
    public var colour: String
    /// SVG `stroke-dasharray` lengths in px; empty for a solid line.
    public var dash: [Double]
    public var marker: MarkerShape
    public var lineWidth: Double

    public init(colour: String, dash: [Double] = [], marker: MarkerShape = .circle, lineWidth: Double = 2) {
        self.colour = colour
        self.dash = dash
        self.marker = marker
        self.lineWidth = lineWidth
    }

    public static let colours = ["#000000", "#E69F00", "#0072B2", "#009E73", "#D55E00", "#56B4E9", "#CC79A7"]
    public static let dashes: [[Double]] = [[], [8, 4], [2, 3], [10, 3, 2, 3], [5, 5], [12, 3, 2, 3, 2, 3]]

    /// The default style of the series at position `index` (0-based).
    public static func palette(_ index: Int) -> SeriesStyle {
        let i = max(index, 0)
        return SeriesStyle(
            colour: colours[i % colours.count], dash: dashes[i % dashes.count],
            marker: MarkerShape.allCases[i % MarkerShape.allCases.count])
    }

    /// A solid line shaded from dark (position 0) to light (position count − 1) in one hue: for a sequence
    /// of curves where order matters more than identity ("darker corresponds to earlier").
    public static func sequential(_ index: Int, of count: Int, hue: (r: Double, g: Double, b: Double) = (0, 0.45, 0.7))
        -> SeriesStyle
    {
        let t = count > 1 ? Double(min(max(index, 0), count - 1)) / Double(count - 1) : 0
        // From 35 % of the hue (dark) to a 60 % tint towards white (light).
        func channel(_ c: Double) -> Int {
            let dark = 0.35 * c
            let light = c + 0.6 * (1 - c)
            return Int((255 * (dark + t * (light - dark))).rounded())
        }
        let hex = [hue.r, hue.g, hue.b].map { channel($0) }.map { String($0, radix: 16, uppercase: true) }
            .map { $0.count == 1 ? "0" + $0 : $0 }.joined()
        return SeriesStyle(
            colour: "#" + hex, dash: [], marker: MarkerShape.allCases[max(index, 0) % MarkerShape.allCases.count])
    }

    /// Ten distinct colours for categorical labels (the Tableau 10 palette), for scatter plots.
    public static let categoricalColours = [
        "#4E79A7", "#F28E2B", "#E15759", "#76B7B2", "#59A14F",
        "#EDC948", "#B07AA1", "#FF9DA7", "#9C755F", "#BAB0AC"
    ]
}
