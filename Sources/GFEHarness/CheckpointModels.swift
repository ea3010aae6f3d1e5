import GFECore
import GFEStore

/// Models read from (and written to) checkpoint files in the PyTorch `state_dict` layout of `Checkpoint`.
public enum CheckpointModels {
    /// The latent dimension of the checkpoint in `group`: the input width of `decoder.0.weight`
    /// ([150, d]), or 20 (SPEC §2) when the tensor is absent (loading then reports what is missing).
    public static func latentDim(_ file: HDF5File, group: String?) throws -> Int {
        let source = try file.group(group ?? ".")
        guard source.contains("decoder.0.weight") else { return 20 }
        let shape = try source.datasetInfo("decoder.0.weight").shape
        guard shape.count == 2, shape[1] >= 1 else { return 20 }
        return shape[1]
    }

    /// Loads the model stored in `group` of the checkpoint at `path` (the root when nil): for `.gfe` the
    /// decoder, for `.ae` encoder and decoder (SPEC §2 layer sizes, latent dimension read from the file).
    /// Throws (exit 2) naming the file and every missing or mis-shaped tensor.
    public static func load(_ method: TrainingConfig.Method, path: String, group: String? = nil) throws -> TrainedModel {
        try HDF5File.read(path) { file in
            if let group, !file.contains(group) {
                throw GFEError.badInput("checkpoint \(path): there is no group '\(group)' (list the file with `gfe inspect \(path)`)")
            }
            let d = try latentDim(file, group: group)
            switch method {
            case .gfe:
                let decoder = Architecture.decoder(latent: d)
                let p = try Checkpoint.load(architecture: decoder, from: file, group: group)
                return TrainedModel(method: .gfe, decoder: try MLP(architecture: decoder, parameters: p))
            case .ae:
                let (e, dArch) = (Architecture.encoder(latent: d), Architecture.decoder(latent: d))
                let p = try Checkpoint.load(architectures: [e, dArch], from: file, group: group)
                return TrainedModel(method: .ae, decoder: try MLP(architecture: dArch, parameters: p[1]),
                                    encoder: try MLP(architecture: e, parameters: p[0]))
            }
        }
    }

    /// Writes `model` into `group` of `file` (PyTorch names; for an AE encoder and decoder side by side),
    /// with `step` (iterations) and extra attributes.
    public static func save(_ model: TrainedModel, to file: HDF5Group, group: String, step: Int? = nil,
                            attributes: [String: HDF5AttributeValue] = [:]) throws {
        try Checkpoint.save(parameters: model.decoder.parameters, architecture: model.decoder.architecture, to: file,
                            group: group, step: step.map(Int64.init), attributes: attributes)
        if let encoder = model.encoder {
            try Checkpoint.save(parameters: encoder.parameters, architecture: encoder.architecture, to: file,
                                group: group, step: step.map(Int64.init))
        }
    }
}
