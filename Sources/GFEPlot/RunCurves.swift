/// One value of one metric of a run's tidy curves (a row of curves.csv).
public struct CurvePoint: Sendable, Equatable {
    public var iteration: Int
    public var imagesSeen: Int
    /// Training seconds up to the iteration.
    public var wallSeconds: Double
    public var value: Double

    public init(iteration: Int, imagesSeen: Int, wallSeconds: Double, value: Double) {
        self.iteration = iteration
        self.imagesSeen = imagesSeen
        self.wallSeconds = wallSeconds
        self.value = value
    }
}

/// The tidy curves of one run (curves.csv: run, iteration, images_seen, wall_s, metric, value), by metric
/// in order of first appearance, each metric's points in row order.
public struct RunCurves: Sendable, Equatable {
    /// The legend text of the run's series.
    public var label: String
    public private(set) var metrics: [String] = []
    public private(set) var points: [String: [CurvePoint]] = [:]

    public init(label: String) { self.label = label }

    public mutating func append(metric: String, _ point: CurvePoint) {
        if points[metric] == nil { metrics.append(metric) }
        points[metric, default: []].append(point)
    }
}
