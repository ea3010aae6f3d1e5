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
public struct CheckpointPlan: Codable, Sendable, Equatable {
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

    static let fields = ["imagesSeen", "evaluations", "split", "atEnd"]

    public init(from decoder: Decoder) throws {
        let r = try SettingsReader(trainingConfig: decoder, allowed: Self.fields)
        if let v = try r.intArray("imagesSeen") {
            for (i, c) in v.enumerated() {
                guard c >= 1 else { throw r.outOfRange("imagesSeen", v, "positive counts (entry \(i) is \(c))") }
                if i > 0 && c <= v[i - 1] {
                    throw r.outOfRange(
                        "imagesSeen", v, "strictly increasing (entry \(i), \(c), is not above \(v[i - 1]))")
                }
            }
            imagesSeen = v
        }
        if let names = try r.value("evaluations", [String].self, expected: "an array of evaluation names") {
            let allowed = EvaluationKind.allCases.map(\.rawValue)
            evaluations = try names.map { name in
                guard let k = EvaluationKind(name: name) else {
                    throw r.problem(
                        "'\(r.qualified("evaluations"))' has '\(name)'\(didYouMean(name, among: allowed)); "
                            + "expected names from \(SettingsReader.quoted(allowed))")
                }
                return k
            }
        }
        if let v = try r.string("split") {
            guard v == "test" || v == "holdout" else {
                throw r.problem(
                    "field '\(r.qualified("split"))' is '\(v)'\(didYouMean(v, among: ["test", "holdout"])); "
                        + "expected 'test' or 'holdout'")
            }
            split = v
        }
        if let v = try r.bool("atEnd") { atEnd = v }
    }

    public func encode(to encoder: Encoder) throws {
        var w = SettingsWriter(encoder)
        try w.put("imagesSeen", imagesSeen)
        try w.putIfPresent("evaluations", evaluations)
        try w.put("split", split)
        try w.put("atEnd", atEnd)
    }
}

/// Validation curves (SPEC §7): the loss on the 8-image validation set every `every` iterations, and
/// optionally on the `holdout` set (training images 50,000–59,999), limited to its first `holdoutLimit`
/// images. Coded as `{"every": 10, "atStart": true, "holdout": false, "holdoutLimit": 1000}`.
public struct ValidationSettings: Codable, Sendable, Equatable {
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

    static let fields = ["every", "atStart", "holdout", "holdoutLimit"]

    public init(from decoder: Decoder) throws {
        let r = try SettingsReader(trainingConfig: decoder, allowed: Self.fields)
        guard let k = try r.int("every", atLeast: 1) else {
            throw r.problem(
                "field '\(r.qualified("every"))' is missing; give the validation "
                    + "interval in iterations (or leave out 'validation' for none)")
        }
        every = k
        if let v = try r.bool("atStart") { atStart = v }
        if let v = try r.bool("holdout") { holdout = v }
        holdoutLimit = try r.int("holdoutLimit", atLeast: 1)
        if holdoutLimit != nil && !holdout {
            throw r.problem(
                "'\(r.qualified("holdoutLimit"))' is set but 'holdout' is false; "
                    + "set \"holdout\": true or remove the limit")
        }
    }

    public func encode(to encoder: Encoder) throws {
        var w = SettingsWriter(encoder)
        try w.put("every", every)
        try w.put("atStart", atStart)
        try w.put("holdout", holdout)
        try w.putIfPresent("holdoutLimit", holdoutLimit)
    }
}

/// Which data a run uses: the dataset of SPEC §1 and optional limits (the first N images of the train pool
/// in its seeded order, and of the evaluation split in file order). Coded as
/// `{"dataset": "mnist", "trainLimit": 300, "testLimit": 1000}`.
public struct DataSettings: Codable, Sendable, Equatable {
    public var dataset: DatasetID = .mnist
    public var trainLimit: Int?
    public var testLimit: Int?

    public init(dataset: DatasetID = .mnist, trainLimit: Int? = nil, testLimit: Int? = nil) {
        self.dataset = dataset
        self.trainLimit = trainLimit
        self.testLimit = testLimit
    }

    static let fields = ["dataset", "trainLimit", "testLimit"]

    public init(from decoder: Decoder) throws {
        let r = try SettingsReader(trainingConfig: decoder, allowed: Self.fields)
        if let id = try r.choice("dataset", DatasetID.self) { dataset = id }
        trainLimit = try r.int("trainLimit", atLeast: 1)
        testLimit = try r.int("testLimit", atLeast: 1)
    }

    public func encode(to encoder: Encoder) throws {
        var w = SettingsWriter(encoder)
        try w.put("dataset", dataset.rawValue)
        try w.putIfPresent("trainLimit", trainLimit)
        try w.putIfPresent("testLimit", testLimit)
    }
}
