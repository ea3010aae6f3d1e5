import Foundation
import GFECore
import GFEPlot
import GFEStore
import GFETraining

/// Solve curves (paper figure 1, `outputs.solveCurves`): per run, the batch-mean loss against integration
/// time t during single solves of the same batch, one line per recorded training iteration, darker for
/// earlier iterations (one hue, `SeriesStyle.sequential`). Read from run.h5's `solve_curves` group.
enum SolveCurveFigureWriter {
    /// One stored curve.
    struct StoredCurve: Equatable {
        var iteration: Int
        var images: Int
        var t: [Double]
        var meanLoss: [Double]
    }

    /// The curves of `run.h5`, in iteration order (none when the run did not record any).
    static func curves(_ file: HDF5File) throws -> [StoredCurve] {
        guard file.contains("solve_curves") else { return [] }
        return try file.members(of: "solve_curves").filter { $0.kind == .group }.map { member in
            let g = "solve_curves/" + member.name
            return StoredCurve(
                iteration: Int(try file.int64Attribute("iteration", of: g)),
                images: Int(try file.int64Attribute("images", of: g)),
                t: try file.readDoubles(g + "/t").values, meanLoss: try file.readDoubles(g + "/mean_loss").values)
        }.sorted { $0.iteration < $1.iteration }
    }

    static func write(_ runs: [FigureRun], experiment: String, into folder: String) throws -> [WrittenFigure] {
        var written: [WrittenFigure] = []
        for run in runs where FileManager.default.fileExists(atPath: run.hdf5Path) {
            let stored = try HDF5File.read(run.hdf5Path) { try curves($0) }
            guard !stored.isEmpty else { continue }
            let series = stored.enumerated().map { i, c in
                PlotSeries(
                    label: "iteration \(c.iteration)", x: c.t, y: c.meanLoss,
                    style: SeriesStyle.sequential(i, of: stored.count))
            }
            let scale = timeScale(stored)
            let plot = LinePlot(
                title: "\(experiment): mean loss vs integration time t — \(run.label)",
                x: PlotAxis("integration time t" + (scale == .logarithmic ? " (log scale)" : ""), scale: scale),
                y: PlotAxis("mean loss (cross-entropy) of the batch"), series: series)
            let path = folder + "/solve_curves-\(run.id).svg"
            try AtomicFile.write(try plot.svg(), to: path)
            let method = run.config.encoder.method.rawValue
            written.append(
                WrittenFigure(
                    path: path,
                    description:
                        "mean loss of the same \(stored[0].images) train images against integration time t during "
                        + "single \(method) solves, with the decoder after iterations "
                        + stored.map { String($0.iteration) }.joined(separator: ", ")
                        + " (darker = earlier; paper figure 1), \(run.label)"
                        + (scale == .logarithmic
                            ? "; logarithmic t, so t = 0 is not drawn (its value is in run.h5 and curves.csv)" : "")))
        }
        return written
    }

    /// Logarithmic t when every curve has at least 3 positive times and they span more than a factor 30 (the
    /// log grid, AMD's growing steps); linear otherwise (one-step: t = 0 and η only).
    static func timeScale(_ curves: [StoredCurve]) -> AxisScale {
        let positive = curves.map { $0.t.filter { $0 > 0 && $0.isFinite } }
        guard positive.allSatisfy({ $0.count >= 3 }), let lo = positive.flatMap({ $0 }).min(),
            let hi = positive.flatMap({ $0 }).max(), hi / lo > 30
        else { return .linear }
        return .logarithmic
    }
}
