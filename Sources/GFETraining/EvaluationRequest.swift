import Foundation
import GFECore
import GFEData
import GFESolvers
import GFEStore

/// One evaluation of a stored model, as `gfe encode` and `gfe evaluate` ask for it: which checkpoint, which
/// images, which encoder and start. `run()` does the work (`Evaluator`); the commands only parse and print.
public struct EvaluationRequest: Sendable {
    public enum Images: Sendable, Equatable {
        /// A [N, sample size] dataset (pixels in [0, 1] for a model with the ε-BCE loss).
        case file(HDF5Location)
        /// A split of a dataset of SPEC §1, its first `limit` images (train/validation cut by `seed`).
        case split(dataset: String, split: String, limit: Int?)
    }

    public enum Start: Sendable, Equatable {
        /// The encoder's z₀ rule, uniform draws from `RNG(seed, "eval-z0")` (see `EvaluationStart.rule`).
        case rule
        /// A [N, d] dataset of starting points.
        case file(HDF5Location)
    }

    /// Where the model comes from.
    public enum Model: Sendable, Equatable {
        /// A checkpoint file and its group (nil: the file's root), e.g. the fixture's `decoder_init`.
        case checkpoint(path: String, group: String?)
        /// A freshly initialised model: PyTorch-style from `RNG(seed, "init")` exactly as training starts
        /// (GFE: the decoder; AE: encoder then decoder), SPEC §2 sizes with latent dimension `latentDim`.
        case initialised(seed: UInt64, latentDim: Int)

        /// For people and file attributes: the path (with "#group"), or "initialised with seed S".
        public var description: String {
            switch self {
            case .checkpoint(let path, let group): return group.map { "\(path)#\($0)" } ?? path
            case .initialised(let seed, _): return "initialised with seed \(seed)"
            }
        }
    }

    public var model: Model
    public var kind: EvaluationKind
    public var images: Images
    public var encoder: EncoderSettings
    public var start: Start
    public var seed: UInt64
    public var batchSize: Int
    public var resources: EvaluationResources

    public init(
        model: Model, kind: EvaluationKind = .gfe, images: Images,
        encoder: EncoderSettings = .amd(.official), start: Start = .rule, seed: UInt64 = 2020,
        batchSize: Int = 16, resources: EvaluationResources = EvaluationResources()
    ) {
        self.model = model
        self.kind = kind
        self.images = images
        self.encoder = encoder
        self.start = start
        self.seed = seed
        self.batchSize = batchSize
        self.resources = resources
    }

    /// Loads the model and images and evaluates. Bad input (files, shapes, names) is exit 2.
    public func run() throws -> EvaluationReport {
        guard batchSize >= 1 else { throw GFEError.badInput("--batch must be at least 1, got \(batchSize)") }
        let model = try loadModel()
        let (x, source) = try loadImages(for: model)
        let d = model.decoder.architecture.inputSize
        let start: EvaluationStart
        switch self.start {
        case .rule: start = .rule(seed: seed)
        case .file(let location):
            guard kind != .ae else {
                throw GFEError.badInput("--z0 does not apply to the AE evaluation (no encoder solve)")
            }
            let z0 = try location.readMatrix(cols: d, unitInterval: false, what: "z0")
            guard z0.rows == x.rows else {
                throw GFEError.badInput(
                    "z0 \(location) has \(z0.rows) rows but there are \(x.rows) images; give one row per image")
            }
            start = .given(z0)
        }
        let result = try model.evaluate(
            kind, images: x, batchSize: batchSize, encoder: encoder, start: start,
            resources: resources)
        return EvaluationReport(request: self, imagesSource: source, result: result)
    }

    private func loadModel() throws -> TrainedModel {
        switch model {
        case .checkpoint(let path, let group):
            return try CheckpointModels.load(kind.method, path: path, group: group)
        case .initialised(let seed, let d):
            guard d >= 1 else { throw GFEError.badInput("the latent dimension must be at least 1, got \(d)") }
            if kind.method == .gfe {
                return TrainedModel(
                    method: .gfe, decoder: MLP(architecture: .decoder(latent: d), seed: seed, stream: "init"))
            }
            let ae = AutoencoderObjective<Float>(latent: d, seed: seed, stream: "init", maxBatch: 1)
            return TrainedModel(method: .ae, decoder: ae.decoder, encoder: ae.encoder)
        }
    }

    private func loadImages(for model: TrainedModel) throws -> (Matrix<Float>, String) {
        switch images {
        case .file(let location):
            let unitInterval = model.loss == .crossEntropyOnLogits
            return (
                try location.readMatrix(
                    cols: model.decoder.architecture.outputSize, unitInterval: unitInterval, what: "images"),
                location.description
            )
        case .split(let name, let splitName, let limit):
            let dataset = try Dataset.load(named: name)
            let split = try dataset.split(named: splitName, seed: seed, limit: limit)
            return (split.imageMatrix(), "\(name) \(splitName)" + (limit.map { " (first \($0))" } ?? ""))
        }
    }
}

/// The outcome of an `EvaluationRequest`.
public struct EvaluationReport: Sendable {
    public var request: EvaluationRequest
    /// Where the images came from, for people ("mnist test (first 1000)", "x.h5:/batch/x").
    public var imagesSource: String
    public var result: EvaluationResult

    /// The summary `gfe encode` / `gfe evaluate` print: one "name  value" line each.
    public var summary: String {
        var lines: [(String, String)] = [
            ("model", request.kind.commandLineName),
            ("images", "\(result.count) (\(imagesSource))"),
            ("mean loss", String(format: "%.8f", result.meanLoss))
        ]
        if let s = result.statistics {
            lines += [
                ("attempts", "\(s.attempts)"),
                ("accepted", "\(s.accepted)"),
                ("rejected", "\(s.rejected)"),
                ("forced", "\(s.forced)"),
                ("converged groups", "\(s.convergedGroups) of \(s.groups.count)")
            ]
        }
        lines.append(
            (
                "decoder passes",
                String(format: "%.2f forward, %.2f backward per image", result.forwardPasses, result.backwardPasses)
            ))
        lines.append(("wall time", String(format: "%.3f s", result.wallSeconds)))
        lines.append(("cpu time", String(format: "%.3f s", result.cpuSeconds)))
        let width = lines.map(\.0.count).max() ?? 0
        return lines.map { $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.1 }
            .joined(separator: "\n")
    }

    /// Codes of `SolveResult` in the `groups/result` dataset.
    public static let resultCodes: [SolveResult] = [.converged, .reachedTau, .nonFinite, .budgetExhausted]

    /// Writes the encoding to a new HDF5 file at `path` (replacing one there, atomically):
    ///
    /// - `z_star` [N, d] float32; `loss_per_sample` [N] float32 (ℓ at z*); `gradient_norm` [N] float64
    ///   (‖∇_z ℓ‖ at z*); `final_time` [N] float64 (each image's group's final t);
    /// - `groups/` one entry per batch: `row_start`, `row_count`, `evaluations`, `attempts`, `accepted`,
    ///   `rejected`, `forced`, `converged` (0/1), `result` (codes: @result_codes) int64 [G]; `final_t`
    ///   float64 [G]; `accepted_times` float64 (all groups' accepted times, each starting with 0, one after
    ///   the other) sliced by `accepted_times_offsets` int64 [G + 1]; `mean_loss_trajectory` likewise (the
    ///   group-mean loss at every accepted state), when the encoder recorded them (AMD with record summary);
    /// - root attributes: the settings (`encoder` as JSON), inputs, counts, mean loss and wall time.
    public func write(to path: String) throws {
        let r = result
        try HDF5File.write(to: path, truncating: true) { f in
            try f.write(r.z, to: "z_star")
            try f.write(r.sampleLoss.map(Float.init), to: "loss_per_sample")
            var attributes: [String: HDF5AttributeValue] = [
                "model": .string(request.kind.commandLineName),
                "checkpoint": .string(request.model.description),
                "images": .string(imagesSource),
                "image_count": .int64(Int64(r.count)),
                "batch_size": .int64(Int64(request.batchSize)),
                "seed": .int64(Int64(bitPattern: request.seed)),
                "mean_loss": .double(r.meanLoss),
                "wall_seconds": .double(r.wallSeconds)
            ]
            switch request.start {
            case .rule: attributes["z0"] = .string("rule (stream eval-z0)")
            case .file(let l): attributes["z0"] = .string(l.description)
            }
            // Sorted keys: two encodings of one request write the same file (a dictionary's order changes
            // from process to process).
            let settingsEncoder = JSONEncoder()
            settingsEncoder.outputFormatting = .sortedKeys
            let settingsJSON = try settingsEncoder.encode(request.encoder)
            attributes["encoder"] = .string(String(decoding: settingsJSON, as: UTF8.self))
            if let s = r.statistics {
                try f.write(s.sampleGradientNorm, to: "gradient_norm")
                try f.write(s.sampleFinalTime, to: "final_time")
                try writeGroups(s, into: try f.createGroup("groups"))
                attributes["attempts"] = .int64(Int64(s.attempts))
                attributes["accepted"] = .int64(Int64(s.accepted))
                attributes["rejected"] = .int64(Int64(s.rejected))
                attributes["forced"] = .int64(Int64(s.forced))
                attributes["converged_groups"] = .int64(Int64(s.convergedGroups))
                attributes["group_count"] = .int64(Int64(s.groups.count))
            }
            for (name, value) in attributes.sorted(by: { $0.key < $1.key }) { try f.setAttribute(name, value) }
        }
    }

    private func writeGroups(_ s: SolveStatistics, into g: HDF5Group) throws {
        func ints(_ name: String, _ f: (GroupStatistics) -> Int) throws {
            try g.write(s.groups.map { Int64(f($0)) }, to: name)
        }
        try ints("row_start") { $0.rowStart }
        try ints("row_count") { $0.rowCount }
        try ints("evaluations") { $0.evaluations }
        try ints("attempts") { $0.attempts }
        try ints("accepted") { $0.accepted }
        try ints("rejected") { $0.rejected }
        try ints("forced") { $0.forced }
        try ints("converged") { $0.converged ? 1 : 0 }
        try ints("result") { Self.resultCodes.firstIndex(of: $0.result)! }
        try g.setAttribute(
            "result_codes",
            .string(
                Self.resultCodes.enumerated().map { "\($0.offset)=\($0.element.rawValue)" }
                    .joined(separator: ",")), on: "result")
        try g.write(s.groups.map(\.finalTime), to: "final_t")
        if s.groups.allSatisfy({ $0.acceptedTimes != nil }) {
            var offsets: [Int64] = [0]
            for group in s.groups { offsets.append(offsets.last! + Int64(group.acceptedTimes!.count)) }
            try g.write(s.groups.flatMap { $0.acceptedTimes! }, to: "accepted_times")
            try g.write(offsets, to: "accepted_times_offsets")
            if s.groups.allSatisfy({ $0.meanLossTrajectory?.count == $0.acceptedTimes!.count }) {
                try g.write(s.groups.flatMap { $0.meanLossTrajectory! }, to: "mean_loss_trajectory")
            }
        }
    }
}
