/// SVG markup for a marker of radius `r` centred at (x, y).
func markerMarkup(
    _ shape: MarkerShape, x: Double, y: Double, r: Double, fill: String, stroke: String,
    strokeWidth: Double = 1
) -> String {
    let style =
        "fill=\"\(SVGWriter.escape(fill))\" stroke=\"\(SVGWriter.escape(stroke))\" stroke-width=\"\(n(strokeWidth))\""
    switch shape {
    case .circle:
        return "<circle cx=\"\(n(x))\" cy=\"\(n(y))\" r=\"\(n(r))\" \(style)/>\n"
    case .square:
        let s = r * 0.9
        return "<rect x=\"\(n(x - s))\" y=\"\(n(y - s))\" width=\"\(n(2 * s))\" height=\"\(n(2 * s))\" \(style)/>\n"
    case .triangleUp, .triangleDown:
        let s = r * 1.2
        let sign: Double = shape == .triangleUp ? 1 : -1
        let pts = [(x, y - sign * s), (x - s * 0.87, y + sign * s * 0.5), (x + s * 0.87, y + sign * s * 0.5)]
        return "<polygon points=\"\(pts.map { "\(n($0.0)),\(n($0.1))" }.joined(separator: " "))\" \(style)/>\n"
    case .diamond:
        let s = r * 1.25
        let pts = [(x, y - s), (x + s, y), (x, y + s), (x - s, y)]
        return "<polygon points=\"\(pts.map { "\(n($0.0)),\(n($0.1))" }.joined(separator: " "))\" \(style)/>\n"
    }
}
