import Foundation
import GFECore
import GFEData
import GFEPlot
import GFEStore
import GFETraining

/// t-SNE maps of stored latents (paper figures 6–7): for each run and checkpoint, the z* of the first
/// `points` train images (`outputs.latents` "train"), or else of the evaluated split by the run's own
/// encoding (`gfe` for GFE, `ae` for an AE), embedded by exact t-SNE and coloured by label.
enum LatentMapWriter {
    static func write(
        _ runs: [FigureRun], experiment: String, points: Int, options base: TSNEOptions,
        into folder: String, progress: (String) -> Void, notes: inout [String]
    ) throws -> [WrittenFigure] {
        var written: [WrittenFigure] = []
        for run in runs where FileManager.default.fileExists(atPath: run.hdf5Path) {
            let checkpoints = try HDF5File.read(run.hdf5Path) { try StoredCheckpoint.list($0) }
            for c in checkpoints {
                let own = run.config.method == .gfe ? "gfe" : "ae"
                let source: (path: String, set: String)?
                if c.hasTrainLatents {
                    source = ("\(c.group)/latents/train", "train")
                } else if c.evaluationLatents.contains(own) {
                    source = ("\(c.group)/\(own)", run.config.checkpoints.split)
                } else {
                    source = nil
                }
                guard let source else { continue }
                let stored = try HDF5File.read(run.hdf5Path) {
                    try StoredCheckpoint.latents($0, at: source.path, limit: points)
                }
                var options = base
                // t-SNE maps many dimensions to two; latents of one or two have nothing to map.
                guard stored.dimension > 2 else {
                    notes.append(
                        "no t-SNE for \(run.label) at \(c.figureImagesSeen) images: its latents have \(stored.dimension) dimension\(stored.dimension == 1 ? "" : "s")"
                    )
                    continue
                }
                guard Double(stored.rows - 1) > options.perplexity else {
                    notes.append(
                        "no t-SNE for \(run.label) at \(c.figureImagesSeen) images: \(stored.rows) latents are too few for perplexity \(options.perplexity)"
                    )
                    continue
                }
                options.threads = max(1, options.threads)
                let started = Date()
                let result = try TSNE.embed(
                    stored.z.map(Double.init), count: stored.rows, dimension: stored.dimension, options: options)
                let seconds = Date().timeIntervalSince(started)
                let when =
                    c.requestedImagesSeen == nil ? "end (\(c.imagesSeen) images)" : "\(c.figureImagesSeen) images seen"
                let names = run.config.data.source.classNames
                let plot = ScatterPlot(
                    title: "\(experiment): t-SNE of z* — \(run.label), \(when)",
                    x: PlotAxis("t-SNE 1"), y: PlotAxis("t-SNE 2"),
                    xValues: (0..<stored.rows).map { result.coordinate($0, 0) },
                    yValues: (0..<stored.rows).map { result.coordinate($0, 1) },
                    labels: stored.labels?.map(Int.init) ?? Array(repeating: 0, count: stored.rows),
                    labelNames: stored.labels == nil ? [0: "unlabelled"] : names, showTickLabels: false)
                let path = folder + "/tsne-\(run.id)-\(source.set)-\(c.figureImagesSeen).svg"
                try AtomicFile.write(try plot.svg(), to: path)
                progress(
                    String(
                        format: "t-SNE of %d %@ latents of %@ at %@: KL %.4f (%.1f s)", stored.rows, source.set,
                        run.label, when, result.klDivergence, seconds))
                written.append(
                    WrittenFigure(
                        path: path,
                        description:
                            "t-SNE map of z* of the first \(stored.rows) \(source.set) images (\(source.path) in run.h5), \(run.label), \(when); perplexity \(options.perplexity), early exaggeration \(options.earlyExaggeration), learning rate \(options.learningRate), \(options.iterations) iterations, final KL \(String(format: "%.4f", result.klDivergence))"
                    ))
            }
        }
        return written
    }
}
