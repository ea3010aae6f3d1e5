import GFECore

#if canImport(Glibc)
import Glibc
#endif

/// Model parameters in HDF5, laid out as PyTorch's `state_dict`: one Float32 dataset per tensor, named by its
/// key (`decoder.0.weight` with shape [out, in] row-major, `decoder.0.bias` with shape [out]), at the root of
/// the file or inside `group`. So `for k, v in sd.items(): f[k] = v.numpy()` in h5py writes a file `load`
/// reads, and `torch.from_numpy(f[k][()])` reads ours back.
///
/// The flat parameter vector is `Architecture`'s layout: tensor `t` occupies `t.range`. Loading checks that
/// every expected tensor exists with exactly its shape and a floating-point type (float64 is converted to
/// Float by rounding to nearest), and that there is no extra tensor with the architecture's prefix (for
/// instance `decoder.8.weight` when loading a 4-layer decoder): otherwise it throws one error (exit 2)
/// listing every missing, mis-shaped and unexpected tensor. Tensors with another prefix (an AE file's
/// `encoder.*` when only the decoder is loaded) are ignored, unless that architecture is loaded too.
public enum Checkpoint {
    /// Attribute holding an architecture's layer sizes, e.g. `decoder_layer_sizes` = [20, 150, 300, 600, 784].
    public static func layerSizesAttribute(_ architecture: Architecture) -> String {
        "\(architecture.name)_layer_sizes"
    }
    /// Attribute holding an architecture's activation (`Activation`'s name), e.g. `decoder_activation` = "elu";
    /// absent (a PyTorch `state_dict` written by h5py) means ELU, the paper's.
    public static func activationAttribute(_ architecture: Architecture) -> String {
        activationAttribute(name: architecture.name)
    }
    /// Attribute holding an architecture's activation for networks named `name`.
    public static func activationAttribute(name: String) -> String { "\(name)_activation" }
    /// Attribute holding the training step (iterations) the parameters are from, when given.
    public static let stepAttribute = "step"
    /// Subgroup of the checkpoint group holding the state of the optimiser of `architecture`'s parameters,
    /// e.g. `decoder_optimiser` (an AE's two optimisers sit side by side, like its two networks).
    public static func optimiserGroup(_ architecture: Architecture) -> String { "\(architecture.name)_optimiser" }
    /// Attribute of the optimiser group holding `OptimiserState.kind` ("rmsprop" or "adam").
    public static let optimiserKindAttribute = "kind"

    // MARK: - Saving

    /// Writes `parameters` (the flat vector of `architecture`) as one dataset per tensor in `group` of
    /// `file` (the root when nil; created on demand), with the layer sizes as an attribute, `step` when
    /// given, the state of the optimiser of these parameters when given, and `attributes` as extra metadata
    /// on the group. Existing tensors of the same names are replaced, and stale tensors with the
    /// architecture's prefix (and a stale optimiser state of the architecture) removed, so the group always
    /// loads back as exactly this checkpoint.
    public static func save(
        parameters: [Float], architecture: Architecture, to file: HDF5Group,
        group: String? = nil, step: Int64? = nil, optimiser: OptimiserState<Float>? = nil,
        attributes: [String: HDF5AttributeValue] = [:]
    ) throws {
        guard parameters.count == architecture.parameterCount else {
            throw StoreError(
                file: file.filePath, object: group,
                problem:
                    "cannot save: \(parameters.count) parameters given, the \(architecture.name) with sizes \(architecture.sizes) has \(architecture.parameterCount)",
                kind: .runFailure)
        }
        let target = try file.createGroup(group ?? ".")
        try writeTensors(parameters, architecture: architecture, into: target)
        try target.setAttribute(layerSizesAttribute(architecture), .int64Array(architecture.sizes.map(Int64.init)))
        // Fixed-length: a name of a few letters (and variable-length strings written in a process that goes on
        // using HDF5 left the library unable to close cleanly at exit: "infinite loop closing library").
        try target.setAttribute(
            activationAttribute(architecture), .string(architecture.activation.rawValue), strings: .fixedLength)
        if let step { try target.setAttribute(stepAttribute, .int64(step)) }
        for (name, value) in attributes.sorted(by: { $0.key < $1.key }) { try target.setAttribute(name, value) }
        if try target.kind(of: optimiserGroup(architecture)) != nil { try target.delete(optimiserGroup(architecture)) }
        if let optimiser { try saveOptimiserState(optimiser, architecture: architecture, to: target) }
    }

    /// Saves into the HDF5 file at `path`: an existing file keeps its other contents (it is rewritten
    /// atomically with the checkpoint replaced), a missing one is created. Nothing changes if this throws.
    public static func save(
        parameters: [Float], architecture: Architecture, to path: String,
        group: String? = nil, step: Int64? = nil, optimiser: OptimiserState<Float>? = nil,
        attributes: [String: HDF5AttributeValue] = [:]
    ) throws {
        let file = access(path, F_OK) == 0 ? try HDF5File.open(path, mode: .readWrite) : try HDF5File.create(path)
        do {
            try save(
                parameters: parameters, architecture: architecture, to: file, group: group, step: step,
                optimiser: optimiser, attributes: attributes)
            try file.close()
        } catch {
            file.discard()
            throw error
        }
    }

    /// Writes `state`, the state of the optimiser of `architecture`'s parameters, into subgroup
    /// `optimiserGroup(architecture)` of the checkpoint group `checkpoint`: one subgroup per buffer (e.g.
    /// `decoder_optimiser/square_avg/decoder.0.weight`), laid out like the parameters, with `kind`, `step`
    /// and the hyperparameters (PyTorch names: `lr`, `alpha`, `eps`, `beta1`, `beta2`) as attributes.
    public static func saveOptimiserState(
        _ state: OptimiserState<Float>, architecture: Architecture,
        to checkpoint: HDF5Group
    ) throws {
        let group = try checkpoint.createGroup(optimiserGroup(architecture))
        try group.setAttribute(optimiserKindAttribute, .string(state.kind))
        try group.setAttribute(stepAttribute, .int64(Int64(state.step)))
        for (name, value) in state.hyperparameters.sorted(by: { $0.key < $1.key }) {
            try group.setAttribute(name, .double(value))
        }
        for (name, buffer) in state.buffers.sorted(by: { $0.key < $1.key }) {
            guard buffer.count == architecture.parameterCount else {
                throw StoreError(
                    file: checkpoint.filePath, object: group.path + "/" + name,
                    problem:
                        "cannot save optimiser buffer: \(buffer.count) values, expected \(architecture.parameterCount)",
                    kind: .runFailure)
            }
            try writeTensors(buffer, architecture: architecture, into: try group.createGroup(name))
        }
    }

    // MARK: - Loading

    /// Reads the flat parameter vector of `architecture` from `group` of `file` (the root when nil).
    /// Throws (exit 2) listing every missing, mis-shaped, non-float or unexpected tensor.
    public static func load(architecture: Architecture, from file: HDF5Group, group: String? = nil) throws -> [Float] {
        try load(architectures: [architecture], from: file, group: group)[0]
    }

    /// Reads several architectures stored side by side (an AE: encoder and decoder) from one group, checking
    /// each one's tensors as `load(architecture:from:group:)` does. One flat vector per architecture.
    public static func load(architectures: [Architecture], from file: HDF5Group, group: String? = nil) throws
        -> [[Float]]
    {
        let source = try file.group(group ?? ".")
        try validate(source, architectures: architectures)
        return try architectures.map { try readTensors(architecture: $0, from: source) }
    }

    /// Reads from the HDF5 file at `path`.
    public static func load(architecture: Architecture, from path: String, group: String? = nil) throws -> [Float] {
        try HDF5File.read(path) { try load(architecture: architecture, from: $0, group: group) }
    }

    /// The training step stored with the checkpoint in `group`, or nil when none was stored.
    public static func step(from file: HDF5Group, group: String? = nil) throws -> Int64? {
        let source = try file.group(group ?? ".")
        guard try source.hasAttribute(stepAttribute) else { return nil }
        return try source.int64Attribute(stepAttribute)
    }

    /// The state of the optimiser of `architecture`'s parameters saved with the checkpoint in `group`, or
    /// nil when there is none. Each buffer is checked like the parameters; `RMSprop(state:parameterCount:)`
    /// or `Adam(state:parameterCount:)` resume from it bit-identically.
    public static func loadOptimiserState(
        architecture: Architecture, from file: HDF5Group,
        group: String? = nil
    ) throws -> OptimiserState<Float>? {
        let checkpoint = try file.group(group ?? ".")
        guard try checkpoint.kind(of: optimiserGroup(architecture)) == .group else { return nil }
        let stateGroup = try checkpoint.group(optimiserGroup(architecture))
        let step = try stateGroup.int64Attribute(stepAttribute)
        guard step >= 0 else {
            throw StoreError(
                file: stateGroup.filePath, object: stateGroup.path,
                problem: "optimiser step \(step) is negative; the checkpoint is damaged")
        }
        var state = OptimiserState<Float>(
            kind: try stateGroup.stringAttribute(optimiserKindAttribute), step: Int(step),
            hyperparameters: [:], buffers: [:])
        for attribute in try stateGroup.attributes()
        where attribute.name != optimiserKindAttribute && attribute.name != stepAttribute {
            if let value = attribute.value.doubleValue { state.hyperparameters[attribute.name] = value }
        }
        for member in try stateGroup.members() where member.kind == .group {
            let bufferGroup = try stateGroup.group(member.name)
            try validate(bufferGroup, architectures: [architecture])
            state.buffers[member.name] = try readTensors(architecture: architecture, from: bufferGroup)
        }
        return state
    }

    // MARK: - Internals

    private static func writeTensors(_ flat: [Float], architecture: Architecture, into group: HDF5Group) throws {
        let expected = Set(architecture.tensors.map(\.name))
        for member in try group.members()
        where member.kind == .dataset
            && member.name.hasPrefix(architecture.name + ".") && !expected.contains(member.name)
        {
            try group.delete(member.name)
        }
        try flat.withUnsafeBufferPointer { all in
            for tensor in architecture.tensors {
                try group.write(
                    buffer: UnsafeBufferPointer(rebasing: all[tensor.range]), shape: tensor.shape,
                    to: tensor.name, replacing: true)
            }
        }
    }

    /// Reads every tensor; a NaN or infinite value is an error naming the tensor and the first bad element
    /// (a model with one gives NaN losses everywhere, reported as a number instead of as the broken input).
    private static func readTensors(architecture: Architecture, from group: HDF5Group) throws -> [Float] {
        var flat = [Float](repeating: 0, count: architecture.parameterCount)
        for tensor in architecture.tensors {
            let array = try group.readFloats(tensor.name, converting: true)
            if let bad = array.values.firstIndex(where: { !$0.isFinite }) {
                throw StoreError(
                    file: group.filePath,
                    object: group.path == "/" ? "/" + tensor.name : group.path + "/" + tensor.name,
                    problem: "element \(bad) is \(array.values[bad]); a checkpoint's parameters must be finite numbers")
            }
            flat.replaceSubrange(tensor.range, with: array.values)
        }
        return flat
    }

    /// Checks the group against the architectures' tensors; throws one error listing every problem.
    private static func validate(_ group: HDF5Group, architectures: [Architecture]) throws {
        let datasets = Dictionary(
            try group.members().filter { $0.kind == .dataset }.map { ($0.name, $0) },
            uniquingKeysWith: { first, _ in first })
        var problems: [String] = []
        for architecture in architectures {
            let expected = architecture.tensors
            let expectedNames = Set(expected.map(\.name))
            for tensor in expected {
                guard let found = datasets[tensor.name] else {
                    problems.append("missing \(tensor.name) \(tensor.shape)")
                    continue
                }
                if found.shape != tensor.shape {
                    problems.append("\(tensor.name) has shape \(found.shape ?? []), expected \(tensor.shape)")
                }
                if let type = found.elementType, type != .float32 && type != .float64 {
                    problems.append("\(tensor.name) holds \(type) values, expected float32 (or float64)")
                }
            }
            for name in datasets.keys.sorted()
            where name.hasPrefix(architecture.name + ".") && !expectedNames.contains(name) {
                problems.append("unexpected \(name) \(datasets[name]!.shape ?? [])")
            }
        }
        guard problems.isEmpty else {
            let wanted = architectures.map { "\($0.name) with layer sizes \($0.sizes)" }.joined(separator: " and ")
            throw StoreError(
                file: group.filePath, object: group.path,
                problem: "not a checkpoint of the \(wanted): " + problems.joined(separator: "; ")
                    + ". Load it with the architecture it was saved with (latent and hidden sizes).")
        }
    }
}
