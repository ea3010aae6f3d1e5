import Foundation

/// A quantity of a curve point plotted along the x axis.
public enum CurveXAxis: String, Sendable, CaseIterable {
    case iteration
    case imagesSeen = "images_seen"
    case wallSeconds = "wall_s"

    public var title: String {
        switch self {
        case .iteration: "iteration"
        case .imagesSeen: "training images seen"
        case .wallSeconds: "training time (s)"
        }
    }

    func value(_ p: CurvePoint) -> Double {
        switch self {
        case .iteration: Double(p.iteration)
        case .imagesSeen: Double(p.imagesSeen)
        case .wallSeconds: p.wallSeconds
        }
    }
}

/// Which figures a metric gets: one per x axis, the metric against it, one series per run.
public struct CurveFigureRule: Sendable, Equatable {
    public enum Match: Sendable, Equatable {
        case exactly(String)
        /// Every metric starting with the prefix, drawn together in one figure (series "run: metric").
        case prefix(String)
    }

    public var match: Match
    /// The figure's name stem and y-axis title.
    public var name: String
    public var yTitle: String
    public var xAxes: [CurveXAxis]
    /// Curves longer than `smoothingThreshold` points are replaced by their trailing running mean over this
    /// many points (noisy per-batch metrics); nil: never smoothed.
    public var smoothingWindow: Int?
    public var smoothingThreshold: Int = 200

    public init(_ match: Match, name: String, yTitle: String, xAxes: [CurveXAxis], smoothingWindow: Int? = nil) {
        self.match = match
        self.name = name
        self.yTitle = yTitle
        self.xAxes = xAxes
        self.smoothingWindow = smoothingWindow
    }

    func matches(_ metric: String) -> Bool {
        switch match {
        case .exactly(let m): metric == m
        case .prefix(let p): metric.hasPrefix(p)
        }
    }
}

/// A planned curve figure: its file name stem (without extension) and the plot.
public struct CurveFigure: Sendable {
    public var name: String
    public var plot: LinePlot
    /// One sentence for an index of figures.
    public var description: String
}

/// The curve figures of an experiment: for every metric present in any run, the figures of the first rule
/// matching it (metrics no rule matches get one figure against the iteration), one series per run.
public enum CurveFigures {
    /// The rules for the metrics of docs/results.md: fig3 (validation loss vs iteration), fig4 (vs images
    /// seen and vs wall time), table 1 as a figure (checkpoint test losses vs images seen), and diagnostics.
    public static let standardRules: [CurveFigureRule] = [
        CurveFigureRule(
            .exactly("validation_loss"), name: "validation_loss", yTitle: "validation loss (mean cross-entropy)",
            xAxes: [.iteration, .imagesSeen, .wallSeconds]),
        CurveFigureRule(
            .exactly("holdout_loss"), name: "holdout_loss", yTitle: "holdout loss (mean cross-entropy)",
            xAxes: [.iteration, .imagesSeen, .wallSeconds]),
        CurveFigureRule(
            .exactly("train_loss"), name: "train_loss", yTitle: "training batch loss",
            xAxes: [.iteration, .imagesSeen, .wallSeconds], smoothingWindow: 50),
        CurveFigureRule(
            .prefix("test_loss_"), name: "test_loss", yTitle: "test loss (mean cross-entropy)",
            xAxes: [.imagesSeen, .wallSeconds]),
        CurveFigureRule(
            .prefix("holdout_loss_"), name: "holdout_checkpoint_loss", yTitle: "holdout loss (mean cross-entropy)",
            xAxes: [.imagesSeen, .wallSeconds]),
        CurveFigureRule(
            .exactly("train_seconds"), name: "train_seconds", yTitle: "training time (s)", xAxes: [.imagesSeen]),
        CurveFigureRule(
            .exactly("solve_attempts"), name: "solve_attempts", yTitle: "encoder evaluations per batch",
            xAxes: [.iteration], smoothingWindow: 50),
        CurveFigureRule(
            .exactly("solve_final_t"), name: "solve_final_t", yTitle: "final integration time of the solve",
            xAxes: [.iteration], smoothingWindow: 50),
        CurveFigureRule(
            .exactly("solve_converged"), name: "solve_converged", yTitle: "fraction of converged solve groups",
            xAxes: [.iteration], smoothingWindow: 50),
        // Counters already summarised by solve_attempts.
        CurveFigureRule(.exactly("solve_accepted"), name: "", yTitle: "", xAxes: []),
        CurveFigureRule(.exactly("solve_rejected"), name: "", yTitle: "", xAxes: []),
        CurveFigureRule(.exactly("solve_forced"), name: "", yTitle: "", xAxes: []),
        // Solve curves (solve_curve_t, solve_curve_mean_loss) are drawn against t, not the iteration (gfe plot).
        CurveFigureRule(.prefix("solve_curve_"), name: "", yTitle: "", xAxes: [])
    ]

    /// The figures for `runs` (in legend order). `title` prefixes every figure title (the experiment name).
    public static func figures(_ runs: [RunCurves], rules: [CurveFigureRule] = standardRules, title: String)
        -> [CurveFigure]
    {
        var metrics: [String] = []
        for r in runs { for m in r.metrics where !metrics.contains(m) { metrics.append(m) } }

        // Group the metrics by the rule that takes them, in order of first appearance.
        var groups: [(rule: CurveFigureRule, metrics: [String])] = []
        for m in metrics {
            let rule =
                rules.first { $0.matches(m) }
                ?? CurveFigureRule(
                    .exactly(m), name: m, yTitle: m.replacingOccurrences(of: "_", with: " "), xAxes: [.iteration])
            if let g = groups.firstIndex(where: { $0.rule == rule }) {
                groups[g].metrics.append(m)
            } else {
                groups.append((rule, [m]))
            }
        }

        var figures: [CurveFigure] = []
        for (rule, groupMetrics) in groups where !rule.xAxes.isEmpty {
            for axis in rule.xAxes {
                var series: [PlotSeries] = []
                var smoothed = false
                for run in runs {
                    for m in groupMetrics {
                        guard let points = run.points[m], !points.isEmpty else { continue }
                        var y = points.map(\.value)
                        if let w = rule.smoothingWindow, points.count > rule.smoothingThreshold {
                            y = runningMean(y, window: w)
                            smoothed = true
                        }
                        let label = groupMetrics.count > 1 ? "\(run.label): \(m)" : run.label
                        series.append(PlotSeries(label: label, x: points.map(axis.value), y: y))
                    }
                }
                guard !series.isEmpty else { continue }
                let yTitle = rule.yTitle + (smoothed ? " (running mean of \(rule.smoothingWindow!))" : "")
                let plot = LinePlot(
                    title: "\(title): \(rule.yTitle) vs \(axis.title)",
                    x: PlotAxis(axis.title, scale: xScale(series)),
                    y: PlotAxis(yTitle, scale: yScale(series)), series: series)
                figures.append(
                    CurveFigure(
                        name: "\(rule.name)-vs-\(axis.rawValue)", plot: plot,
                        description:
                            "\(groupMetrics.joined(separator: ", ")): \(rule.yTitle) against \(axis.title), one line per run"
                            + (smoothed ? ", long curves smoothed by a running mean of \(rule.smoothingWindow!)" : "")))
            }
        }
        return figures
    }

    /// Trailing mean over the last `window` values; a non-finite value restarts the window (and stays a gap).
    public static func runningMean(_ values: [Double], window: Int) -> [Double] {
        var out: [Double] = []
        out.reserveCapacity(values.count)
        var start = 0
        var sum = 0.0
        for (i, v) in values.enumerated() {
            guard v.isFinite else {
                out.append(v)
                start = i + 1
                sum = 0
                continue
            }
            sum += v
            if i - start + 1 > window { sum -= values[i - window] }
            let count = min(window, i - start + 1)
            out.append(sum / Double(count))
        }
        return out
    }

    /// Logarithmic x for positive data spanning at least a factor 8 with points clustered towards the low end
    /// (e.g. checkpoints at doubling image counts): when the geometric mean of the x values lies below
    /// 30 % of the range.
    static func xScale(_ series: [PlotSeries]) -> AxisScale {
        let xs = series.flatMap(\.x).filter(\.isFinite)
        guard let lo = xs.min(), let hi = xs.max(), lo > 0, hi / lo >= 8, xs.count <= 200 else { return .linear }
        let geometricMean = exp(xs.map(log).reduce(0, +) / Double(xs.count))
        return (geometricMean - lo) / (hi - lo) < 0.3 ? .logarithmic : .linear
    }

    /// Logarithmic y for positive data spanning more than a factor 30.
    static func yScale(_ series: [PlotSeries]) -> AxisScale {
        let ys = series.flatMap(\.y).filter(\.isFinite)
        guard let lo = ys.min(), let hi = ys.max(), lo > 0, hi / lo > 30 else { return .linear }
        return .logarithmic
    }
}
