import GFECore
import GFETraining

/// What a run stores beyond its curves and evaluations (spec field `outputs`). Part of the run id: runs that
/// store different things are different runs.
///
///     "outputs": {"models": "final", "latents": ["evaluation", "train"], "trainLatentCount": 1000,
///                 "solveCurves": {"iterations": [0, 50, 250], "images": 20}}
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
    /// Loss-vs-time curves of single solves during training (paper figure 1); nil: none.
    public var solveCurves: SolveCurveSettings?

    public init(
        models: Models = .final, latents: [LatentSet] = [], trainLatentCount: Int = 1000,
        solveCurves: SolveCurveSettings? = nil
    ) {
        self.models = models
        self.latents = latents
        self.trainLatentCount = trainLatentCount
        self.solveCurves = solveCurves
    }

    static let fields = ["models", "latents", "trainLatentCount", "solveCurves"]

    /// The settings as canonical JSON (every field), hashed into the run id. `solveCurves` appears only when
    /// set, so the ids of runs without it are those of the code before it existed.
    public var json: JSONValue {
        var fields: [(String, JSONValue)] = [
            ("latents", .array(latents.map { .string($0.rawValue) })),
            ("models", .string(models.rawValue))
        ]
        if let solveCurves { fields.append(("solveCurves", solveCurves.json)) }
        fields.append(("trainLatentCount", JSONValue(trainLatentCount)))
        return .object(JSONObject(fields))
    }

    static func read(_ value: JSONValue?, source: String) throws -> OutputSettings {
        var out = OutputSettings()
        guard let value, value != .null else { return out }
        let r = try SpecReader(value, at: "$.outputs", source: source, allowed: fields)
        if let m = try r.choice("models", Models.allCases.map(\.rawValue)) { out.models = Models(rawValue: m)! }
        let allowed = LatentSet.allCases.map(\.rawValue)
        if let items = try r.array(
            "latents", "an array of set names: " + allowed.map { "\"\($0)\"" }.joined(separator: ", "))
        {
            out.latents = []
            for (i, item) in items.enumerated() {
                let at = JSONPath.index(r.at("latents"), i)
                guard case .string(let name) = item else { throw r.wrongType(at, item, "a set name") }
                guard let set = LatentSet(rawValue: name) else {
                    throw r.problem(
                        at,
                        "\"\(name)\" is not a latent set\(didYouMean(name, among: allowed)); expected one of "
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
        if let v = r["solveCurves"] {
            out.solveCurves = try SolveCurveSettings.read(v, at: r.at("solveCurves"), source: source)
        }
        return out
    }
}

/// `outputs.solveCurves` in a spec (the settings themselves: GFETraining's SolveCurveSettings).
extension SolveCurveSettings {
    static let fields = ["iterations", "images"]

    var json: JSONValue {
        .object(JSONObject([("images", JSONValue(images)), ("iterations", .array(iterations.map { JSONValue($0) }))]))
    }

    static func read(_ value: JSONValue, at location: String, source: String) throws -> SolveCurveSettings {
        let r = try SpecReader(value, at: location, source: source, allowed: fields)
        func missing(_ key: String, _ expected: String) -> GFEError {
            r.problem(
                location,
                "the field \"\(key)\" is missing; expected \(expected), e.g. "
                    + #"{"iterations": [0, 50, 250], "images": 20}"#)
        }
        let expectedIterations = "a non-empty, strictly increasing array of iteration counts (integers ≥ 0)"
        guard let items = try r.array("iterations", expectedIterations) else {
            throw missing("iterations", expectedIterations)
        }
        guard !items.isEmpty else {
            throw r.problem(r.at("iterations"), "the array is empty; expected \(expectedIterations)")
        }
        var iterations: [Int] = []
        for (i, item) in items.enumerated() {
            let at = JSONPath.index(r.at("iterations"), i)
            guard let n = item.intValue else { throw r.wrongType(at, item, "an iteration count (an integer ≥ 0)") }
            guard n >= 0 else {
                throw r.problem(at, "\(n) is out of range; expected an iteration count ≥ 0 (0: the untrained model)")
            }
            if let last = iterations.last, n <= last {
                throw r.problem(at, "\(n) follows \(last); the iterations must be strictly increasing")
            }
            iterations.append(n)
        }
        guard let v = r["images"] else { throw missing("images", "a positive integer") }
        guard let images = v.intValue else { throw r.wrongType(r.at("images"), v, "a positive integer") }
        guard images >= 1 else { throw r.problem(r.at("images"), "\(images) is out of range; expected at least 1") }
        return SolveCurveSettings(iterations: iterations, images: images)
    }

    /// What the spec alone can tell about run `run`: solve curves need a GFE run (an AE has no solver), and
    /// none may lie beyond the budget's iterations.
    func check(_ config: TrainingConfig, run: Int, source: String) throws {
        let at = "$.outputs.solveCurves"
        guard config.method == .gfe else {
            throw GFEError.badInput(
                "\(source): \(at): solve curves record the encoder's solves of a GFE run, and run "
                    + "\(run) is an autoencoder (method \"ae\"), which has no solver; remove "
                    + "outputs.solveCurves or sweep only GFE runs")
        }
        if let budget = config.plannedIterations, let beyond = iterations.first(where: { $0 > budget }) {
            throw GFEError.badInput(
                "\(source): \(at).iterations: iteration \(beyond) is beyond the budget of run \(run) "
                    + "(\(budget) iterations); raise the budget or drop it")
        }
    }
}
