import GFECore
import GFEPlot
import GFEStore
import GFETraining

/// The curve figures of an experiment from its runs' curves.csv files (the figure set is `CurveFigures`'s:
/// decided by the metrics present).
enum CurveFigureWriter {
    /// Reads a run's tidy curves.csv.
    static func curves(of run: FigureRun) throws -> RunCurves {
        let table = try CSV.read(run.curvesPath)
        let columns = try RunOutputsWriter.curvesHeader.dropFirst().map { try table.columnIndex($0) }
        var curves = RunCurves(label: run.label)
        for (i, row) in table.rows.enumerated() {
            guard let iteration = Int(row[columns[0]]), let seen = Int(row[columns[1]]),
                let wall = Double(row[columns[2]])
            else {
                throw GFEError.badInput(
                    "\(run.curvesPath): row \(i + 1) has a malformed iteration, images_seen or wall_s "
                        + "(the file is not a gfe curves.csv; rerun the run with `gfe run --force`)")
            }
            // Non-finite values are written as nan/inf and parse as such: they become gaps.
            let value = Double(row[columns[4]]) ?? .nan
            curves.append(
                metric: row[columns[3]],
                CurvePoint(iteration: iteration, imagesSeen: seen, wallSeconds: wall, value: value))
        }
        return curves
    }

    /// Writes the SVG files into `folder` and returns what it wrote.
    static func write(_ runs: [FigureRun], experiment: String, into folder: String) throws -> [WrittenFigure] {
        let figures = CurveFigures.figures(try runs.map(curves), title: experiment)
        return try figures.map { f in
            let path = folder + "/" + f.name + ".svg"
            try AtomicFile.write(try f.plot.svg(), to: path)
            return WrittenFigure(path: path, description: f.description)
        }
    }
}

/// A figure file and one sentence saying what it shows.
public struct WrittenFigure: Sendable, Equatable {
    public var path: String
    public var description: String
}
