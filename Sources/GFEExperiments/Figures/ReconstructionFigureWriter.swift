import Foundation
import GFECore
import GFEData
import GFEPlot
import GFEStore
import GFETraining

/// Reconstructions (paper figure 5) at each checkpoint (by images seen), of the first evaluation samples by
/// each run and stored evaluation: the decoder of the checkpoint's model applied to the stored z* of the same
/// samples, σ(D(z*)) (D(z*) itself for a decoder trained with MSE). Needs `outputs.latents` with "evaluation"
/// and a model at the checkpoint (`outputs.models: "checkpoints"`, or "final" for the last checkpoint).
///
/// How they are drawn follows the samples' shape: images (H×W, H×W×C) as a grid with the originals in the
/// top row and one row per run and evaluation; points of two values as a scatter of data and reconstructions
/// with, for a one-dimensional latent, the decoded curve D(z) over the range of z*; other vectors as curves
/// of the first samples against their reconstructions, one figure per run and evaluation.
enum ReconstructionFigureWriter {
    /// One run's evaluation: its reconstructions, and for a one-dimensional latent the decoded curve.
    private struct Row {
        var label: String
        var samples: [[Float]]
        var curve: [[Float]]
    }

    /// Points of the decoded curve D(z) drawn for a one-dimensional latent.
    static let curvePoints = 400
    /// Samples drawn as points when they have two values (an image grid or curve figure draws `count`).
    static let pointCount = 1_000

    static func write(
        _ runs: [FigureRun], experiment: String, count: Int, locator: DataLocator,
        into folder: String, notes: inout [String]
    ) throws -> [WrittenFigure] {
        // Figures share their originals, so group by the evaluated samples: data, split (and seed for the
        // seeded splits), and checkpoint.
        var order: [String] = []
        var grids: [String: (title: String, name: String, run: FigureRun, rows: [Row])] = [:]
        for run in runs where FileManager.default.fileExists(atPath: run.hdf5Path) {
            let checkpoints = try HDF5File.read(run.hdf5Path) { try StoredCheckpoint.list($0) }
            for c in checkpoints where !c.evaluationLatents.isEmpty {
                guard let modelGroup = c.modelGroup else {
                    notes.append(
                        "no reconstructions for \(run.label) at \(c.figureImagesSeen) images: run.h5 has no model for that checkpoint (outputs.models \"checkpoints\")"
                    )
                    continue
                }
                let model = try CheckpointModels.load(run.config.method, path: run.hdf5Path, group: modelGroup)
                let split = run.config.checkpoints.split
                let source = run.config.data.source
                let key = "\(figureName(run.config))-\(c.figureImagesSeen)"
                for evaluation in c.evaluationLatents {
                    let stored = try HDF5File.read(run.hdf5Path) {
                        try StoredCheckpoint.latents($0, at: "\(c.group)/\(evaluation)", limit: max(count, pointCount))
                    }
                    let samples = decode(
                        model.decoder, loss: model.loss, z: stored.z, rows: stored.rows, dimension: stored.dimension)
                    if grids[key] == nil {
                        order.append(key)
                        let when =
                            c.requestedImagesSeen == nil
                            ? "end of training (\(c.imagesSeen) images)" : "\(c.figureImagesSeen) images seen"
                        grids[key] = (
                            "\(experiment): \(source.name) \(split) reconstructions after \(when)",
                            "reconstructions-\(key)", run, []
                        )
                    }
                    grids[key]!.rows.append(
                        Row(
                            label: "\(run.label), \(evaluation) (iteration \(c.iteration))", samples: samples,
                            curve: stored.dimension == 1 ? decodedCurve(model, z: stored.z) : []))
                }
            }
        }

        var written: [WrittenFigure] = []
        var datasets: [DataSource: any LoadedData] = [:]
        for key in order {
            let grid = grids[key]!
            let config = grid.run.config
            let source = config.data.source
            let dataset = try datasets[source] ?? source.load(locator: locator)
            datasets[source] = dataset
            let evaluation = try TrainingData.cut(dataset, config).evaluation
            let shown = dataset.sampleSize == 2 ? pointCount : count
            let columns = min(shown, grid.rows.map { $0.samples.count }.max() ?? 0, evaluation.count)
            guard columns > 0 else { continue }
            var originals = Matrix<Float>(rows: columns, cols: evaluation.sampleSize)
            evaluation.gather(0..<columns, into: &originals)
            let data = (0..<columns).map { originals.row($0) }
            if dataset.isImageShaped {
                written += try imageGrid(
                    grid, data: data, shape: dataset.sampleShape, folder: folder, experiment: experiment)
            } else {
                for (k, row) in grid.rows.enumerated() {
                    let name = grid.name + (grid.rows.count > 1 ? "-\(k + 1)" : "")
                    let title = grid.title + " — " + row.label
                    let path = folder + "/" + name + ".svg"
                    let svg =
                        dataset.sampleSize == 2
                        ? try pointsFigure(title: title, data: data, row: row)
                        : try curvesFigure(title: title, data: data, row: row)
                    try AtomicFile.write(svg, to: path)
                    let what =
                        dataset.sampleSize == 2
                        ? "data points and their reconstructions"
                            + (row.curve.isEmpty ? "" : ", and the decoded curve D(z)")
                        : "the first samples (solid) and their reconstructions (dashed)"
                    written.append(
                        WrittenFigure(
                            path: path,
                            description: title.replacingOccurrences(of: "\(experiment): ", with: "") + ": " + what))
                }
            }
        }
        return written
    }

    /// The image grid of one group: originals on top, one row per run and evaluation (PNG and labelled SVG).
    private static func imageGrid(
        _ grid: (title: String, name: String, run: FigureRun, rows: [Row]), data: [[Float]], shape: [Int],
        folder: String, experiment: String
    ) throws -> [WrittenFigure] {
        let columns = data.count
        // Colour images are drawn in grey: the mean of their channels.
        let channels = shape.count == 3 ? shape[2] : 1
        func grey(_ v: [Float]) -> [Float] {
            guard channels > 1, !v.isEmpty else { return v }
            return stride(from: 0, to: v.count, by: channels).map { i in
                v[i..<(i + channels)].reduce(0, +) / Float(channels)
            }
        }
        var cells = data.map(grey)
        for row in grid.rows {
            cells +=
                row.samples.prefix(columns).map(grey)
                + Array(repeating: [], count: columns - min(columns, row.samples.count))
        }
        let layout = ImageGrid(
            imageWidth: shape[1], imageHeight: shape[0], gap: 2, margin: 2, scale: max(1, 56 / max(shape[0], shape[1])),
            background: 255)
        let png = try layout.render(cells, rows: 1 + grid.rows.count, columns: columns)
        let path = folder + "/" + grid.name + ".png"
        try AtomicFile.write(try png.encoded(), to: path)
        let labels = ["\(grid.run.config.checkpoints.split) images"] + grid.rows.map(\.label)
        let rowList = labels.enumerated().map { "row \($0.offset + 1): \($0.element)" }.joined(separator: "; ")
        let description = grid.title.replacingOccurrences(of: "\(experiment): ", with: "") + " — " + rowList
        // The same grid with its title and row labels, for reading without index.md.
        let labelled = folder + "/" + grid.name + ".svg"
        try AtomicFile.write(
            try LabelledImageGrid(title: grid.title, rowLabels: labels).svg(png: png, grid: layout),
            to: labelled)
        return [
            WrittenFigure(path: path, description: description),
            WrittenFigure(path: labelled, description: description + " (labelled SVG of the PNG beside it)")
        ]
    }

    /// Two-value samples: data and reconstructions as points over the decoded curve, drawn as a dense line
    /// of points.
    private static func pointsFigure(title: String, data: [[Float]], row: Row) throws -> String {
        let sets: [(String, [[Float]])] = [
            ("D(z) for z over the range of z*", row.curve), ("data", data),
            ("D(z*) (reconstructions)", Array(row.samples.prefix(data.count)))
        ]
        var xs: [Double] = []
        var ys: [Double] = []
        var labels: [Int] = []
        var names: [Int: String] = [:]
        for (k, set) in sets.enumerated() where !set.1.isEmpty {
            names[k] = set.0
            for p in set.1 {
                xs.append(Double(p[0]))
                ys.append(Double(p[1]))
                labels.append(k)
            }
        }
        return try ScatterPlot(
            title: title, x: PlotAxis("x₁"), y: PlotAxis("x₂"), xValues: xs, yValues: ys, labels: labels,
            labelNames: names, equalAspect: true, pointRadius: 2.2
        ).svg()
    }

    /// Vector samples: the first few as curves over their index, reconstructions dashed in the same colour.
    private static func curvesFigure(title: String, data: [[Float]], row: Row) throws -> String {
        var series: [PlotSeries] = []
        let index = (0..<(data.first?.count ?? 0)).map(Double.init)
        for (k, sample) in data.prefix(4).enumerated() {
            let colour = SeriesStyle.categoricalColours[k % SeriesStyle.categoricalColours.count]
            series.append(
                PlotSeries(
                    label: "sample \(k + 1)", x: index, y: sample.map(Double.init),
                    style: SeriesStyle(colour: colour), markers: .never))
            if k < row.samples.count {
                series.append(
                    PlotSeries(
                        label: "D(z*) of sample \(k + 1)", x: index, y: row.samples[k].map(Double.init),
                        style: SeriesStyle(colour: colour, dash: [6, 4]), markers: .never))
            }
        }
        return try LinePlot(title: title, x: PlotAxis("index"), y: PlotAxis("value"), series: series).svg()
    }

    /// D(z) for `curvePoints` values of a one-dimensional z spread evenly over the range of the stored z*,
    /// widened by a quarter of it on each side.
    private static func decodedCurve(_ model: TrainedModel, z: [Float]) -> [[Float]] {
        guard let low = z.min(), let high = z.max() else { return [] }
        let margin = max((high - low) / 4, 0.5)
        let n = curvePoints
        let grid = (0..<n).map { low - margin + (high - low + 2 * margin) * Float($0) / Float(n - 1) }
        return decode(model.decoder, loss: model.loss, z: grid, rows: n, dimension: 1)
    }

    /// What a figure's file name says about the evaluated samples: the data (a built-in name, or the samples
    /// file's name without folder and extension), the split, and the seed when the seed chooses the samples
    /// (the holdout split; a test fraction of a user's file).
    static func figureName(_ config: TrainingConfig) -> String {
        let split = config.checkpoints.split
        let data: String
        var seeded = split == "holdout"
        switch config.data.source {
        case .builtin(let id): data = id.name
        case .files(let files):
            data = ((files.samples.path as NSString).lastPathComponent as NSString).deletingPathExtension
            if case .testFraction = files.split { seeded = true }
        }
        let safe = String(data.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" })
        return "\(safe)-\(split)" + (seeded ? "-seed\(config.seed)" : "")
    }

    /// The reconstructions D(z) as the data's values: σ of logits; outputs under MSE as they are.
    static func decode(
        _ decoder: MLP<Float>, loss: ReconstructionLoss, z: [Float], rows: Int, dimension: Int
    ) -> [[Float]] {
        guard rows > 0 else { return [] }
        let outputs = decoder.forward(Matrix(rows: rows, cols: dimension, storage: z))
        return (0..<rows).map { r in
            outputs.row(r).map {
                switch loss {
                case .crossEntropyOnLogits: 1 / (1 + Foundation.exp(-$0))
                case .meanSquaredError: $0
                }
            }
        }
    }
}
