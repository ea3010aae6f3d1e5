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
    public static func load(_ method: TrainingConfig.Method, path: String, group: String? = nil) throws -> TrainedModel
    {
        try HDF5File.read(path) { file in
            let architectures = try architectures(method, in: file, path: path, group: group)
            let p = try Checkpoint.load(architectures: architectures, from: file, group: group)
            let decoder = try MLP(architecture: architectures.last!, parameters: p.last!)
            switch method {
            case .gfe: return TrainedModel(method: .gfe, decoder: decoder)
            case .ae:
                return TrainedModel(
                    method: .ae, decoder: decoder,
                    encoder: try MLP(architecture: architectures[0], parameters: p[0]))
            }
        }
    }

    /// Writes `model` into `group` of `file` (PyTorch names; for an AE encoder and decoder side by side),
    /// with `step` (iterations), extra attributes, and the optimisers' states when given: one per network,
    /// in `TrainingResult.optimiserStates`' order (the decoder's; for an AE the encoder's first), each in
    /// the group `Checkpoint.optimiserGroup` of its network (`decoder_optimiser`, `encoder_optimiser`).
    public static func save(
        _ model: TrainedModel, to file: HDF5Group, group: String, step: Int? = nil,
        optimiserStates: [OptimiserState<Float>] = [],
        attributes: [String: HDF5AttributeValue] = [:]
    ) throws {
        let networks = model.encoder == nil ? 1 : 2
        guard optimiserStates.isEmpty || optimiserStates.count == networks else {
            throw GFEError.runFailure(
                "cannot save the \(model.method.rawValue) model in \(file.filePath): "
                    + "\(optimiserStates.count) optimiser states for \(networks) networks")
        }
        try Checkpoint.save(
            parameters: model.decoder.parameters, architecture: model.decoder.architecture, to: file,
            group: group, step: step.map(Int64.init), optimiser: optimiserStates.last,
            attributes: attributes)
        if let encoder = model.encoder {
            try Checkpoint.save(
                parameters: encoder.parameters, architecture: encoder.architecture, to: file,
                group: group, step: step.map(Int64.init), optimiser: optimiserStates.first)
        }
    }

    /// The optimisers' states stored with the model in `group` of the checkpoint at `path`, in
    /// `TrainingResult.optimiserStates`' order; empty when the checkpoint holds none (as `save` writes
    /// them: all or none). `RMSprop(state:parameterCount:)` / `Adam(state:parameterCount:)` resume from them.
    public static func loadOptimiserStates(
        _ method: TrainingConfig.Method, path: String,
        group: String? = nil
    ) throws -> [OptimiserState<Float>] {
        try HDF5File.read(path) { file in
            let architectures = try architectures(method, in: file, path: path, group: group)
            let states = try architectures.map {
                try Checkpoint.loadOptimiserState(architecture: $0, from: file, group: group)
            }
            let found = states.compactMap { $0 }
            guard found.isEmpty || found.count == states.count else {
                throw GFEError.badInput(
                    "checkpoint \(path): the optimiser state of only \(found.count) of the "
                        + "\(states.count) networks is stored in '\(group ?? "/")'")
            }
            return found
        }
    }

    /// The networks of a `method` model stored in `group` (SPEC §2 layer sizes, latent dimension read from
    /// the file), in `TrainingResult.optimiserStates`' order: the decoder; for an AE the encoder, then the
    /// decoder. Throws (exit 2) when the group does not exist.
    static func architectures(
        _ method: TrainingConfig.Method, in file: HDF5File, path: String,
        group: String?
    ) throws -> [Architecture] {
        if let group, !file.contains(group) {
            throw GFEError.badInput(
                "checkpoint \(path): there is no group '\(group)' (list the file with `gfe inspect \(path)`)")
        }
        let d = try latentDim(file, group: group)
        switch method {
        case .gfe: return [.decoder(latent: d)]
        case .ae: return [.encoder(latent: d), .decoder(latent: d)]
        }
    }
}
