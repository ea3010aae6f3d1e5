import GFECore

/// What a run stores beyond its curves and evaluations (spec field `outputs`). Part of the run id: runs that
/// store different things are different runs.
///
///     "outputs": {"models": "final", "latents": ["evaluation", "train"], "trainLatentCount": 1000}
public struct OutputSettings: Sendable, Equatable {
    public enum Models: String, Sendable, CaseIterable {
        /// No parameters are stored.
        case none
        /// The model after the last iteration (`/model` in run.h5).
        case final
        /// The final model and the model at every checkpoint (`/checkpoints/<k>/model`).
        case checkpoints
    }

    /// Sets whose latents z* are stored at every checkpoint, with their labels.
    public enum LatentSet: String, Sendable, CaseIterable {
        /// The checkpoint evaluations' split (`checkpoints.split`: test or holdout), every evaluation kind.
        case evaluation
        /// The first `trainLatentCount` images of the train pool, encoded by the run's own method.
        case train
        /// The 8 validation images (datasets that have them).
        case validation
    }

    public var models: Models = .final
    public var latents: [LatentSet] = []
    public var trainLatentCount = 1000

    public init(models: Models = .final, latents: [LatentSet] = [], trainLatentCount: Int = 1000) {
        self.models = models
        self.latents = latents
        self.trainLatentCount = trainLatentCount
    }

    static let fields = ["models", "latents", "trainLatentCount"]

    /// The settings as canonical JSON (every field), hashed into the run id.
    public var json: JSONValue {
        .object(JSONObject([
            ("latents", .array(latents.map { .string($0.rawValue) })),
            ("models", .string(models.rawValue)),
            ("trainLatentCount", JSONValue(trainLatentCount)),
        ]))
    }

    static func read(_ value: JSONValue?, source: String) throws -> OutputSettings {
        var out = OutputSettings()
        guard let value, value != .null else { return out }
        let r = try SpecReader(value, at: "$.outputs", source: source, allowed: fields)
        if let m = try r.choice("models", Models.allCases.map(\.rawValue)) { out.models = Models(rawValue: m)! }
        let allowed = LatentSet.allCases.map(\.rawValue)
        if let items = try r.array("latents", "an array of set names: " + allowed.map { "\"\($0)\"" }.joined(separator: ", ")) {
            out.latents = []
            for (i, item) in items.enumerated() {
                let at = JSONPath.index(r.at("latents"), i)
                guard case .string(let name) = item else { throw r.wrongType(at, item, "a set name") }
                guard let set = LatentSet(rawValue: name) else {
                    throw r.problem(at, "\"\(name)\" is not a latent set\(didYouMean(name, among: allowed)); expected one of "
                                    + allowed.map { "\"\($0)\"" }.joined(separator: ", "))
                }
                guard !out.latents.contains(set) else { throw r.problem(at, "\"\(name)\" is listed twice") }
                out.latents.append(set)
            }
        }
        if let v = r["trainLatentCount"] {
            guard let n = v.intValue else { throw r.wrongType(r.at("trainLatentCount"), v, "a positive integer") }
            guard n >= 1 else { throw r.problem(r.at("trainLatentCount"), "\(n) is out of range; expected at least 1") }
            out.trainLatentCount = n
        }
        return out
    }
}
