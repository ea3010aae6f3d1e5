/// One axis of a plot: its label, scale and optional fixed limits (otherwise fitted to the data).
public struct PlotAxis: Sendable, Equatable {
    public var label: String
    public var scale: AxisScale
    public var limits: ClosedRange<Double>?

    public init(_ label: String, scale: AxisScale = .linear, limits: ClosedRange<Double>? = nil) {
        self.label = label
        self.scale = scale
        self.limits = limits
    }

    /// Whether `v` can be placed on this axis: finite, and positive on a logarithmic axis.
    func accepts(_ v: Double) -> Bool { v.isFinite && (scale == .linear || v > 0) }
}
