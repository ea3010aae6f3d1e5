import Testing

@testable import GFEPlot

@Suite("Curve figures from tidy curves")
struct CurveFiguresTests {
    private func run(_ label: String, metrics: [String: [(Int, Double)]]) -> RunCurves {
        var r = RunCurves(label: label)
        for (metric, points) in metrics.sorted(by: { $0.key < $1.key }) {
            for (it, v) in points {
                r.append(
                    metric: metric,
                    CurvePoint(iteration: it, imagesSeen: 16 * it, wallSeconds: Double(it) / 2, value: v))
            }
        }
        return r
    }

    @Test("The figure set follows the metrics present: validation loss gets three x axes, test losses share a figure")
    func figureSet() {
        let ae = run(
            "method=ae",
            metrics: [
                "validation_loss": [(0, 0.7), (5, 0.3)], "test_loss_ae": [(30, 0.25), (60, 0.2)],
                "test_loss_ae_decoder_amd": [(30, 0.22), (60, 0.19)], "solve_accepted": [(1, 3)]
            ])
        let gfe = run(
            "method=gfe",
            metrics: [
                "validation_loss": [(0, 0.7), (5, 0.2)], "test_loss_gfe": [(30, 0.2), (60, 0.15)],
                "my_new_metric": [(1, 1), (2, 2)]
            ])
        let figures = CurveFigures.figures([ae, gfe], title: "exp")
        #expect(
            Set(figures.map(\.name)) == [
                "validation_loss-vs-iteration", "validation_loss-vs-images_seen",
                "validation_loss-vs-wall_s", "test_loss-vs-images_seen", "test_loss-vs-wall_s",
                "my_new_metric-vs-iteration"
            ])
        let validation = figures.first { $0.name == "validation_loss-vs-images_seen" }!
        #expect(validation.plot.series.map(\.label) == ["method=ae", "method=gfe"])
        #expect(validation.plot.series[1].x == [0, 80] && validation.plot.series[1].y == [0.7, 0.2])
        let test = figures.first { $0.name == "test_loss-vs-images_seen" }!
        #expect(
            test.plot.series.map(\.label) == [
                "method=ae: test_loss_ae", "method=ae: test_loss_ae_decoder_amd",
                "method=gfe: test_loss_gfe"
            ])
        let wall = figures.first { $0.name == "validation_loss-vs-wall_s" }!
        #expect(wall.plot.series[0].x == [0, 2.5])
    }

    @Test("Running mean: trailing window, restarting after a gap")
    func runningMean() {
        let m = CurveFigures.runningMean([1, 2, 3, 4, .nan, 10, 20], window: 2)
        #expect(m[0] == 1 && m[1] == 1.5 && m[2] == 2.5 && m[3] == 3.5)
        #expect(m[4].isNaN && m[5] == 10 && m[6] == 15)
    }

    @Test("Long noisy training curves are smoothed, short ones are not; the axis title says so")
    func smoothing() {
        let long = run("r", metrics: ["train_loss": (1...300).map { ($0, $0 % 2 == 0 ? 1.0 : 0.0) }])
        let figure = CurveFigures.figures([long], title: "e").first { $0.name == "train_loss-vs-iteration" }!
        #expect(figure.plot.series[0].y.suffix(10).allSatisfy { $0 == 0.5 })
        #expect(figure.plot.y.label.contains("running mean of 50"))
        let short = run("r", metrics: ["train_loss": (1...20).map { ($0, $0 % 2 == 0 ? 1.0 : 0.0) }])
        let plain = CurveFigures.figures([short], title: "e").first { $0.name == "train_loss-vs-iteration" }!
        #expect(plain.plot.series[0].y.last == 1.0 && !plain.plot.y.label.contains("running"))
    }

    @Test("Checkpoints at doubling counts get a logarithmic x axis; evenly spaced iterations do not")
    func scales() {
        let doubling = [PlotSeries(label: "", x: [480, 960, 1920, 3840, 5760], y: [1, 1, 1, 1, 1])]
        #expect(CurveFigures.xScale(doubling) == .logarithmic)
        let even = [PlotSeries(label: "", x: (1...100).map(Double.init), y: Array(repeating: 1, count: 100))]
        #expect(CurveFigures.xScale(even) == .linear)
        #expect(CurveFigures.yScale([PlotSeries(label: "", x: [1, 2], y: [0.001, 1])]) == .logarithmic)
        #expect(CurveFigures.yScale([PlotSeries(label: "", x: [1, 2], y: [0.1, 0.7])]) == .linear)
    }
}
