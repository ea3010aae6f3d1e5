import Foundation
import GFECore
import GFEData
import GFEEmbedding
import GFEStore
import GFETraining

/// t-SNE maps of stored latents (paper figures 6–7), as figure data: for each run and checkpoint, the z* of
/// the first `points` train images (`outputs.latents` "train"), or else of the evaluated split by the run's own
/// encoding (`gfe` for GFE, `ae` for an AE), embedded by exact t-SNE, with each point's class. scripts/figures.py
/// draws one figure per checkpoint with a panel per run.
enum LatentMaps {
    static func compute(
        _ runs: [FigureRun], points: Int, options base: TSNEOptions, progress: (String) -> Void,
        notes: inout [String]
    ) throws -> [JSONValue] {
        var maps: [JSONValue] = []
        for run in FigureRun.firstSeeds(runs) where FileManager.default.fileExists(atPath: run.hdf5Path) {
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
                let when = FigureData.checkpointLabel(c, shared: true)
                progress(
                    String(
                        format: "t-SNE of %d %@ latents of %@, %@: KL %.4f (%.1f s)", stored.rows, source.set,
                        run.label, when, result.klDivergence, seconds))
                let classes = stored.labels?.map(Int.init) ?? Array(repeating: 0, count: stored.rows)
                let names = stored.labels == nil ? [0: "unlabelled"] : run.config.data.source.classNames
                maps.append(
                    .object(
                        JSONObject([
                            ("run", .string(run.id)),
                            // Runs end after different numbers of images: the panel says how many.
                            (
                                "label",
                                .string(
                                    [run.panel, run.group].compactMap { $0 }.joined(separator: ", ")
                                        + (c.requestedImagesSeen == nil ? " (\(grouped(c.imagesSeen)) images)" : ""))
                            ),
                            ("checkpoint", .string(when)), ("key", .string(FigureData.checkpointKey(c))),
                            ("set", .string(source.set)), ("source", .string(source.path)),
                            ("x", FigureData.numbers((0..<stored.rows).map { result.coordinate($0, 0) })),
                            ("y", FigureData.numbers((0..<stored.rows).map { result.coordinate($0, 1) })),
                            ("classes", .array(classes.map(JSONValue.init))),
                            (
                                "classNames",
                                .object(
                                    JSONObject(
                                        names.sorted { $0.key < $1.key }.map { (String($0.key), .string($0.value)) }))
                            ),
                            ("perplexity", JSONValue(options.perplexity)),
                            ("iterations", JSONValue(options.iterations)),
                            ("kl", JSONValue(result.klDivergence))
                        ])))
            }
        }
        return maps
    }
}
