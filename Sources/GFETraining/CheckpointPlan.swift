import GFECore
import GFEData
import GFESolvers

/// When to snapshot the model during training and which evaluations to run on each snapshot, so that one
/// training trajectory serves several data budgets (table 1: 480, 960, … images seen).
///
/// Coded as `{"imagesSeen": [480, 960], "evaluations": ["ae", "aeDecoderAMD"], "split": "test", "atEnd": true}`.
/// A snapshot is taken after the first iteration at which the images seen reach each requested count; its
/// evaluations use only the snapshot and the run seed, so they equal those of a separate run that stops
/// there. Absent fields: no counts, the evaluations of the method (GFE: `gfe`; AE: `ae` and
/// `aeDecoderAMD`), split `test`, no extra snapshot at the end.
public struct CheckpointPlan: Sendable, Equatable, SettingsFields {
    /// Images-seen counts, strictly increasing, each ≥ 1.
    public var imagesSeen: [Int] = []
    /// Evaluations run at every snapshot; nil means the method's defaults (`evaluations(for:)`).
    public var evaluations: [EvaluationKind]?
    /// The split evaluated: `test` (SPEC §7) or `holdout`, limited by `DataSettings.testLimit`.
    public var split: String = "test"
    /// Also snapshot and evaluate the final model (unless the last count already is the end).
    public var atEnd = false

    public init(
        imagesSeen: [Int] = [], evaluations: [EvaluationKind]? = nil, split: String = "test", atEnd: Bool = false
    ) {
        self.imagesSeen = imagesSeen
        self.evaluations = evaluations
        self.split = split
        self.atEnd = atEnd
    }

    /// The evaluations run for a model trained by `method`.
    public func evaluations(for method: TrainingConfig.Method) -> [EvaluationKind] {
        evaluations ?? (method == .gfe ? [.gfe] : [.ae, .aeDecoderAMD])
    }

    public static var settingsName: String { TrainingConfig.messageSubject }

    public static var fields: [SettingsField<CheckpointPlan>] {
        [
            .value("imagesSeen", \.imagesSeen, SettingsRule(Self.increasingCountsViolation)),
            SettingsField(
                "evaluations",
                read: { r, plan in
                    guard
                        let names = try r.value("evaluations", [String].self, expected: "an array of evaluation names")
                    else { return }
                    let allowed = EvaluationKind.allCases.map(\.rawValue)
                    plan.evaluations = try names.map { name in
                        guard let k = EvaluationKind(name: name) else {
                            throw r.problem(
                                "'\(r.qualified("evaluations"))' has '\(name)'\(didYouMean(name, among: allowed)); "
                                    + "expected names from \(SettingsReader.quoted(allowed))")
                        }
                        return k
                    }
                    // Each evaluation is stored under its name: a second one would collide when the run is written.
                    let chosen = plan.evaluations ?? []
                    if let twice = chosen.first(where: { k in chosen.filter { $0 == k }.count > 1 }) {
                        throw r.problem(
                            "'\(r.qualified("evaluations"))' names '\(twice.rawValue)' twice; give each once")
                    }
                }, write: { plan, w in try w.putIfPresent("evaluations", plan.evaluations) }),
            SettingsField(
                "split",
                read: { r, plan in
                    guard let v = try r.string("split") else { return }
                    guard v == "test" || v == "holdout" else {
                        throw r.problem(
                            "field '\(r.qualified("split"))' is '\(v)'\(didYouMean(v, among: ["test", "holdout"])); "
                                + "expected 'test' or 'holdout'")
                    }
                    plan.split = v
                }, write: { plan, w in try w.put("split", plan.split) }),
            .value("atEnd", \.atEnd)
        ]
    }

    /// Counts must be positive and strictly increasing.
    static func increasingCountsViolation(_ v: [Int]) -> String? {
        for (i, c) in v.enumerated() {
            guard c >= 1 else { return "positive counts (entry \(i) is \(c))" }
            if i > 0 && c <= v[i - 1] { return "strictly increasing (entry \(i), \(c), is not above \(v[i - 1]))" }
        }
        return nil
    }

    public init(defaultsFor r: SettingsReader) { self.init() }
}

/// Validation curves (SPEC §7): the loss on the 8-image validation set every `every` iterations, and
/// optionally on the `holdout` set (training images 50,000–59,999), limited to its first `holdoutLimit`
/// images. Coded as `{"every": 10, "atStart": true, "holdout": false, "holdoutLimit": 1000}`.
public struct ValidationSettings: Sendable, Equatable, SettingsFields {
    /// k: validate after iterations k, 2k, 3k, …
    public var every: Int
    /// Also validate the initial model (iteration 0).
    public var atStart = true
    public var holdout = false
    public var holdoutLimit: Int?

    public init(every: Int, atStart: Bool = true, holdout: Bool = false, holdoutLimit: Int? = nil) {
        self.every = every
        self.atStart = atStart
        self.holdout = holdout
        self.holdoutLimit = holdoutLimit
    }

    public static var settingsName: String { TrainingConfig.messageSubject }

    public static var fields: [SettingsField<ValidationSettings>] {
        [
            .value("every", \.every, .atLeast(1)), .value("atStart", \.atStart), .value("holdout", \.holdout),
            .optional("holdoutLimit", \.holdoutLimit, .atLeast(1))
        ]
    }

    public init(defaultsFor r: SettingsReader) throws {
        guard r.has("every") else {
            throw r.problem(
                "field '\(r.qualified("every"))' is missing; give the validation "
                    + "interval in iterations (or leave out 'validation' for none)")
        }
        self.init(every: 1)
    }

    public func checkDecoded(_ r: SettingsReader) throws {
        if holdoutLimit != nil && !holdout {
            throw r.problem(
                "'\(r.qualified("holdoutLimit"))' is set but 'holdout' is false; "
                    + "set \"holdout\": true or remove the limit")
        }
    }
}
