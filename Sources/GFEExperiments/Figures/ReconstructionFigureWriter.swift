import Foundation
import GFECore
import GFEData
import GFEPlot
import GFEStore
import GFETraining

/// Reconstruction grids (paper figure 5): for each checkpoint (by images seen), the first evaluation images
/// in the top row and, below, one row per run and stored evaluation: the decoder of the checkpoint's model
/// applied to the stored z* of the same images, σ(D(z*)) (D(z*) itself for a decoder trained with MSE). Needs `outputs.latents` with "evaluation" and a
/// model at the checkpoint (`outputs.models: "checkpoints"`, or "final" for the last checkpoint).
enum ReconstructionFigureWriter {
    /// One grid row: which run and evaluation, and its images (784 intensities each).
    private struct Row {
        var label: String
        var images: [[Float]]
    }

    static func write(
        _ runs: [FigureRun], experiment: String, count: Int, locator: DataLocator,
        into folder: String, notes: inout [String]
    ) throws -> [WrittenFigure] {
        // Grids share their top row, so group by the evaluated images: dataset, split (and seed for the
        // seeded holdout split), and checkpoint.
        var order: [String] = []
        var grids: [String: (title: String, name: String, run: FigureRun, rows: [Row])] = [:]
        var datasets: [DatasetID: Dataset] = [:]
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
                let seedPart = split == "holdout" ? "-seed\(run.config.seed)" : ""
                let key = "\(run.config.data.dataset.name)-\(split)\(seedPart)-\(c.figureImagesSeen)"
                for evaluation in c.evaluationLatents {
                    let stored = try HDF5File.read(run.hdf5Path) {
                        try StoredCheckpoint.latents($0, at: "\(c.group)/\(evaluation)", limit: count)
                    }
                    let images = decode(
                        model.decoder, loss: model.loss, z: stored.z, rows: stored.rows, dimension: stored.dimension)
                    if grids[key] == nil {
                        order.append(key)
                        let when =
                            c.requestedImagesSeen == nil
                            ? "end of training (\(c.imagesSeen) images)" : "\(c.figureImagesSeen) images seen"
                        grids[key] = (
                            "\(experiment): \(run.config.data.dataset.name) \(split) reconstructions after \(when)",
                            "reconstructions-\(key)", run, []
                        )
                    }
                    grids[key]!.rows.append(
                        Row(label: "\(run.label), \(evaluation) (iteration \(c.iteration))", images: images))
                }
            }
        }

        var written: [WrittenFigure] = []
        for key in order {
            let grid = grids[key]!
            let config = grid.run.config
            let dataset: Dataset
            if let d = datasets[config.data.dataset] {
                dataset = d
            } else {
                dataset = try Dataset.load(config.data.dataset, locator: locator)
                datasets[config.data.dataset] = dataset
            }
            let evaluation = try TrainingData.cut(dataset, config).evaluation
            let columns = min(count, grid.rows.map { $0.images.count }.max() ?? 0, evaluation.count)
            guard columns > 0 else { continue }
            var originals = Matrix<Float>(rows: columns, cols: DataSplit.pixelCount)
            evaluation.gather(0..<columns, into: &originals)
            var cells: [[Float]] = (0..<columns).map { originals.row($0) }
            for row in grid.rows {
                cells +=
                    row.images.prefix(columns) + Array(repeating: [], count: columns - min(columns, row.images.count))
            }
            let layout = ImageGrid(gap: 2, margin: 2, scale: 2, background: 255)
            let png = try layout.render(cells, rows: 1 + grid.rows.count, columns: columns)
            let path = folder + "/" + grid.name + ".png"
            try AtomicFile.write(try png.encoded(), to: path)
            let labels = ["\(config.checkpoints.split) images"] + grid.rows.map(\.label)
            let rowList = labels.enumerated().map { "row \($0.offset + 1): \($0.element)" }.joined(separator: "; ")
            let description = grid.title.replacingOccurrences(of: "\(experiment): ", with: "") + " — " + rowList
            written.append(WrittenFigure(path: path, description: description))
            // The same grid with its title and row labels, for reading without index.md.
            let labelled = folder + "/" + grid.name + ".svg"
            try AtomicFile.write(
                try LabelledImageGrid(title: grid.title, rowLabels: labels).svg(png: png, grid: layout),
                to: labelled)
            written.append(
                WrittenFigure(path: labelled, description: description + " (labelled SVG of the PNG beside it)"))
        }
        return written
    }

    /// The reconstructions D(z) as intensities in [0, 1]: σ of logits, values under MSE clamped to [0, 1].
    static func decode(
        _ decoder: MLP<Float>, loss: ReconstructionLoss, z: [Float], rows: Int, dimension: Int
    ) -> [[Float]] {
        guard rows > 0 else { return [] }
        let outputs = decoder.forward(Matrix(rows: rows, cols: dimension, storage: z))
        return (0..<rows).map { r in
            outputs.row(r).map {
                switch loss {
                case .crossEntropyOnLogits: 1 / (1 + Foundation.exp(-$0))
                case .meanSquaredError: min(max($0, 0), 1)
                }
            }
        }
    }
}
