import Foundation
import GFECore
import GFEData
import GFEEmbedding
import GFEStore
import GFETraining

/// Reconstructions (paper figure 5) at each checkpoint, as figure data: of the first evaluation samples by
/// each run and stored evaluation, the decoder of the checkpoint's model applied to the stored z* of the same
/// samples, σ(D(z*)) (D(z*) itself for a decoder trained with MSE). Needs `outputs.latents` with "evaluation"
/// and a model at the checkpoint (`outputs.models: "checkpoints"`, or "final" for the last checkpoint).
///
/// Runs evaluated on the same samples at the same checkpoint (the requested image count, or the end of
/// training, however many images each run saw by then) share one grid: the originals first, then a row per
/// run and evaluation. scripts/figures.py draws images as a grid of panels (dataset × checkpoint), points of
/// two values as a scatter over the decoded curve D(z) (one-dimensional latents), other vectors as curves.
enum Reconstructions {
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

    static func compute(
        _ runs: [FigureRun], count: Int, locator: DataLocator, notes: inout [String]
    ) throws -> [JSONValue] {
        var order: [String] = []
        var grids: [String: (checkpoint: String, run: FigureRun, rows: [Row])] = [:]
        for run in FigureRun.firstSeeds(runs) where FileManager.default.fileExists(atPath: run.hdf5Path) {
            let checkpoints = try HDF5File.read(run.hdf5Path) { try StoredCheckpoint.list($0) }
            for c in checkpoints where !c.evaluationLatents.isEmpty {
                guard let modelGroup = c.modelGroup else {
                    notes.append(
                        "no reconstructions for \(run.label) at \(c.figureImagesSeen) images: run.h5 has no model for that checkpoint (outputs.models \"checkpoints\")"
                    )
                    continue
                }
                let model = try CheckpointModels.load(run.config.method, path: run.hdf5Path, group: modelGroup)
                let key = "\(figureName(run.config))-\(FigureData.checkpointKey(c))"
                let own = run.config.method == .gfe ? "gfe" : "ae"
                for evaluation in c.evaluationLatents {
                    let stored = try HDF5File.read(run.hdf5Path) {
                        try StoredCheckpoint.latents($0, at: "\(c.group)/\(evaluation)", limit: max(count, pointCount))
                    }
                    let samples = decode(
                        model.decoder, loss: model.loss, z: stored.z, rows: stored.rows, dimension: stored.dimension)
                    if grids[key] == nil {
                        order.append(key)
                        grids[key] = (FigureData.checkpointLabel(c, shared: true), run, [])
                    }
                    let encoding = evaluation == own ? "" : ", \(evaluation)"
                    grids[key]!.rows.append(
                        Row(
                            label: "\(run.group)\(encoding) (\(grouped(c.imagesSeen)) images)", samples: samples,
                            curve: stored.dimension == 1 ? decodedCurve(model, z: stored.z) : []))
                }
            }
        }

        var out: [JSONValue] = []
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
            let kind = dataset.isImageShaped ? "images" : dataset.sampleSize == 2 ? "points" : "vectors"
            // Colour images are drawn in grey: the mean of their channels.
            let shape = dataset.sampleShape
            let channels = dataset.isImageShaped && shape.count == 3 ? shape[2] : 1
            func values(_ v: [Float]) -> JSONValue {
                guard channels > 1 else { return FigureData.numbers(v.map(Double.init)) }
                return FigureData.numbers(
                    stride(from: 0, to: v.count, by: channels).map { i in
                        Double(v[i..<(i + channels)].reduce(0, +) / Float(channels))
                    })
            }
            let rows: [JSONValue] = grid.rows.map { row in
                .object(
                    JSONObject([
                        ("label", .string(row.label)),
                        ("samples", .array(row.samples.prefix(columns).map(values))),
                        ("curve", .array(row.curve.map(values)))
                    ]))
            }
            out.append(
                .object(
                    JSONObject([
                        ("key", .string(key)), ("panel", grid.run.panel.map(JSONValue.string) ?? .null),
                        ("checkpoint", .string(grid.checkpoint)), ("kind", .string(kind)),
                        ("shape", .array(shape.prefix(2).map(JSONValue.init))),
                        ("split", .string(config.checkpoints.split)),
                        ("originalsLabel", .string("\(config.checkpoints.split) images")),
                        ("originals", .array((0..<columns).map { values(originals.row($0)) })), ("rows", .array(rows))
                    ])))
        }
        return out
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
