import GFECore
import GFEStore
import GFETraining

/// What run.h5 holds about one checkpoint: when it was taken, the latents stored with it and where a model
/// for it is.
struct StoredCheckpoint: Sendable {
    /// `checkpoints/NNN`.
    var group: String
    var iteration: Int
    var imagesSeen: Int
    /// The count the checkpoint asked for; nil for the end-of-run snapshot.
    var requestedImagesSeen: Int?
    /// Evaluation groups with stored latents (`gfe`, `ae`, `ae_decoder_amd`), in name order.
    var evaluationLatents: [String]
    /// Whether `latents/train` holds z*.
    var hasTrainLatents: Bool
    /// The group of the model at this checkpoint: its own `…/model`, or the final `model` when that was
    /// saved at the same iteration; nil when the run did not store one.
    var modelGroup: String?

    /// The images-seen count figures are keyed by (as in tables: the requested count when there is one).
    var figureImagesSeen: Int { requestedImagesSeen ?? imagesSeen }

    /// Every checkpoint in `run.h5`, in order.
    static func list(_ file: HDF5File) throws -> [StoredCheckpoint] {
        guard file.contains("checkpoints") else { return [] }
        let finalStep: Int? =
            file.contains("model") && (try? file.hasAttribute("step", on: "model")) == true
            ? Int(try file.int64Attribute("step", of: "model")) : nil
        return try file.members(of: "checkpoints").filter { $0.kind == .group }.map { member in
            let g = "checkpoints/" + member.name
            let iteration = Int(try file.int64Attribute("iteration", of: g))
            let requested = Int(try file.int64Attribute("requested_images_seen", of: g))
            let evaluations = try file.members(of: g).filter { m in
                m.kind == .group && file.contains("\(g)/\(m.name)/z_star")
            }.map(\.name)
            let model = file.contains(g + "/model") ? g + "/model" : (finalStep == iteration ? "model" : nil)
            return StoredCheckpoint(
                group: g, iteration: iteration, imagesSeen: Int(try file.int64Attribute("images_seen", of: g)),
                requestedImagesSeen: requested >= 0 ? requested : nil, evaluationLatents: evaluations,
                hasTrainLatents: file.contains(g + "/latents/train/z_star"),
                modelGroup: model)
        }
    }

    /// z* (rows × d, row-major) and labels of the latents at `path` (a group with `z_star`, and `labels`
    /// when the data have labels), at most `limit` rows.
    static func latents(_ file: HDF5File, at path: String, limit: Int) throws -> (
        z: [Float], rows: Int, dimension: Int, labels: [UInt8]?
    ) {
        let z = try file.readFloats(path + "/z_star", converting: true)
        guard z.shape.count == 2 else {
            throw GFEError.badInput("\(file.filePath): \(path)/z_star has shape \(z.shape); expected [N, d]")
        }
        let labels = file.contains(path + "/labels") ? try file.readUInt8s(path + "/labels", converting: true) : nil
        if let labels, z.shape[0] != labels.count {
            throw GFEError.badInput(
                "\(file.filePath): \(path)/z_star has shape \(z.shape) but \(labels.count) labels; expected [\(labels.count), d]"
            )
        }
        let rows = min(limit, z.shape[0])
        let d = z.shape[1]
        return (Array(z.values.prefix(rows * d)), rows, d, labels.map { Array($0.values.prefix(rows)) })
    }
}
