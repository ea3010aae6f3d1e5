import GFECore
import GFEStore

/// Models read from (and written to) checkpoint files in the PyTorch `state_dict` layout of `Checkpoint`.
public enum CheckpointModels {
    /// Attribute of a checkpoint group holding the loss the decoder's outputs are for
    /// (`ReconstructionLoss`'s name); absent means the paper's ε-BCE on logits.
    public static let lossAttribute = "reconstruction_loss"

    /// The network `name` ("decoder", "encoder") stored in `source`: layer sizes from the shapes of its
    /// weights `name.0.weight`, `name.2.weight`, … (so a PyTorch `state_dict` written by h5py needs no
    /// attributes), the activation from the attribute `name_activation` (ELU when absent). Nil when
    /// `name.0.weight` is absent or not a matrix (loading then reports what is missing).
    static func stored(_ name: String, in source: HDF5Group, path: String) throws -> Architecture? {
        var sizes: [Int] = []
        var layer = 0
        while source.contains("\(name).\(2 * layer).weight") {
            let shape = try source.datasetInfo("\(name).\(2 * layer).weight").shape
            guard shape.count == 2, shape.allSatisfy({ $0 >= 1 }), sizes.isEmpty || sizes.last == shape[1] else {
                if sizes.isEmpty { return nil }
                break  // a mis-shaped layer: loading names it
            }
            if sizes.isEmpty { sizes.append(shape[1]) }
            sizes.append(shape[0])
            layer += 1
        }
        guard !sizes.isEmpty else { return nil }
        let activation: Activation =
            try choice(Checkpoint.activationAttribute(name: name), in: source, path: path) ?? .elu
        return Architecture(name: name, sizes: sizes, activation: activation)
    }

    /// The loss of the model stored in `source` (attribute `lossAttribute`; the ε-BCE when absent).
    static func storedLoss(in source: HDF5Group, path: String) throws -> ReconstructionLoss {
        try choice(lossAttribute, in: source, path: path) ?? .crossEntropyOnLogits
    }

    /// The case of `E` named by string attribute `attribute` of `source`; nil when the attribute is absent.
    private static func choice<E: RawRepresentable & CaseIterable>(
        _ attribute: String, in source: HDF5Group, path: String
    ) throws -> E? where E.RawValue == String {
        guard try source.hasAttribute(attribute) else { return nil }
        let raw = try source.stringAttribute(attribute)
        guard let value = E(rawValue: raw) else {
            throw GFEError.badInput(
                "checkpoint \(path): attribute '\(attribute)' is '\(raw)'; expected one of "
                    + E.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", "))
        }
        return value
    }

    /// Loads the model stored in `group` of the checkpoint at `path` (the root when nil): for `.gfe` the
    /// decoder, for `.ae` encoder and decoder, with the architectures and the loss the file records.
    /// Throws (exit 2) naming the file and every missing or mis-shaped tensor.
    public static func load(_ method: TrainingConfig.Method, path: String, group: String? = nil) throws -> TrainedModel
    {
        try HDF5File.read(path) { file in
            let architectures = try architectures(method, in: file, path: path, group: group)
            let p = try Checkpoint.load(architectures: architectures, from: file, group: group)
            let decoder = try MLP(architecture: architectures.last!, parameters: p.last!)
            let loss = try storedLoss(in: try file.group(group ?? "."), path: path)
            switch method {
            case .gfe: return TrainedModel(method: .gfe, decoder: decoder, loss: loss)
            case .ae:
                return TrainedModel(
                    method: .ae, decoder: decoder,
                    encoder: try MLP(architecture: architectures[0], parameters: p[0]), loss: loss)
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
        try file.group(group).setAttribute(lossAttribute, .string(model.loss.rawValue), strings: .fixedLength)
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

    /// The networks of a `method` model stored in `group` (as the file records them; the SPEC §2 networks
    /// where it holds none, so that loading names what is missing), in `TrainingResult.optimiserStates`'
    /// order: the decoder; for an AE the encoder, then the decoder. Throws (exit 2) when the group does not
    /// exist.
    static func architectures(
        _ method: TrainingConfig.Method, in file: HDF5File, path: String,
        group: String?
    ) throws -> [Architecture] {
        if let group, !file.contains(group) {
            throw GFEError.badInput(
                "checkpoint \(path): there is no group '\(group)' (list the file with `gfe inspect \(path)`)")
        }
        let source = try file.group(group ?? ".")
        if group == nil, !source.contains("decoder.0.weight"), file.contains("model/decoder.0.weight") {
            throw GFEError.badInput(
                "checkpoint \(path): no model at the file's root; it holds one in the group 'model' (a run's run.h5): "
                    + "add --group model (or --group checkpoints/000/model for a checkpoint's)")
        }
        let decoder = try stored("decoder", in: source, path: path) ?? .decoder()
        switch method {
        case .gfe: return [decoder]
        case .ae:
            let encoder =
                try stored("encoder", in: source, path: path)
                ?? .encoder(latent: decoder.inputSize, input: decoder.outputSize)
            return [encoder, decoder]
        }
    }
}
