import Foundation
import GFECore
import GFETraining

/// The checkpoint results a run.json keeps (what tables read).
public struct CheckpointSummary: Sendable, Equatable {
    public var iteration: Int
    public var imagesSeen: Int
    /// The images-seen count the checkpoint asked for (nil for the end-of-run snapshot).
    public var requestedImagesSeen: Int?
    /// Metric name (`RunMetrics`) → value.
    public var metrics: [String: Double]

    /// The count tables index by: the requested count when there is one.
    public var tableImagesSeen: Int { requestedImagesSeen ?? imagesSeen }

    public init(iteration: Int, imagesSeen: Int, requestedImagesSeen: Int?, metrics: [String: Double]) {
        self.iteration = iteration
        self.imagesSeen = imagesSeen
        self.requestedImagesSeen = requestedImagesSeen
        self.metrics = metrics
    }
}

/// A run's run.json (docs/results.md): status, the resolved configuration and provenance, and a summary of
/// the results. Written last, atomically; a run folder without a readable run.json is not a run.
public struct RunRecord: Sendable {
    public enum Status: String, Sendable { case finished, failed }

    public static let format = "gfe-run/1"

    public var status: Status
    /// Why a failed run failed.
    public var reason: String?
    /// A failed run whose training stopped on a non-finite loss or gradient (not an error): the same
    /// configuration, data and code diverge again, so `gfe run` keeps it unless forced.
    public var diverged: Bool
    public var experiment: String
    public var runId: String
    public var index: Int
    public var label: String
    public var swept: JSONObject
    public var config: JSONValue
    public var outputs: JSONValue
    public var dataset: String
    public var dataFingerprint: String
    public var code: CodeVersion
    /// Everything else about where and how it ran (`Provenance` plus thread counts), as written.
    public var provenance: JSONObject
    public var startTime: String
    public var endTime: String
    public var wallSeconds: Double
    public var trainingSeconds: Double?
    public var iterations: Int
    public var imagesSeen: Int
    public var finalTrainLoss: Double?
    public var checkpoints: [CheckpointSummary]

    public init(
        status: Status, reason: String?, diverged: Bool = false, experiment: String, runId: String,
        index: Int, label: String, swept: JSONObject, config: JSONValue, outputs: JSONValue,
        dataset: String, dataFingerprint: String,
        code: CodeVersion, provenance: JSONObject, startTime: String, endTime: String, wallSeconds: Double,
        trainingSeconds: Double?, iterations: Int, imagesSeen: Int, finalTrainLoss: Double?,
        checkpoints: [CheckpointSummary]
    ) {
        self.status = status
        self.reason = reason
        self.diverged = diverged
        self.experiment = experiment
        self.runId = runId
        self.index = index
        self.label = label
        self.swept = swept
        self.config = config
        self.outputs = outputs
        self.dataset = dataset
        self.dataFingerprint = dataFingerprint
        self.code = code
        self.provenance = provenance
        self.startTime = startTime
        self.endTime = endTime
        self.wallSeconds = wallSeconds
        self.trainingSeconds = trainingSeconds
        self.iterations = iterations
        self.imagesSeen = imagesSeen
        self.finalTrainLoss = finalTrainLoss
        self.checkpoints = checkpoints
    }

    // MARK: - JSON

    public var json: JSONValue {
        func number(_ d: Double?) -> JSONValue {
            guard let d else { return .null }
            return d.isFinite ? JSONValue(d) : .string("\(d)")
        }
        func optionalString(_ s: String?) -> JSONValue { s.map { .string($0) } ?? .null }
        let code = JSONObject([
            ("id", .string(self.code.id)),
            ("gitCommit", optionalString(self.code.gitCommit)),
            ("gitDirty", self.code.gitDirty.map { .bool($0) } ?? .null),
            ("repository", optionalString(self.code.repository)),
            ("toolVersion", .string(self.code.toolVersion))
        ])
        let checkpoints: [JSONValue] = self.checkpoints.map { c in
            var metrics = JSONObject()
            for key in c.metrics.keys.sorted() { metrics[key] = number(c.metrics[key]) }
            return .object(
                JSONObject([
                    ("iteration", JSONValue(c.iteration)),
                    ("imagesSeen", JSONValue(c.imagesSeen)),
                    ("requestedImagesSeen", c.requestedImagesSeen.map { JSONValue($0) } ?? .null),
                    ("metrics", .object(metrics))
                ]))
        }
        return .object(
            JSONObject([
                ("format", .string(Self.format)),
                ("status", .string(status.rawValue)),
                ("reason", optionalString(reason)),
                ("diverged", .bool(diverged)),
                ("experiment", .string(experiment)),
                ("runId", .string(runId)),
                ("index", JSONValue(index)),
                ("label", .string(label)),
                ("swept", .object(swept)),
                ("config", config),
                ("outputs", outputs),
                (
                    "data",
                    .object(JSONObject([("dataset", .string(dataset)), ("fingerprint", .string(dataFingerprint))]))
                ),
                ("code", .object(code)),
                ("provenance", .object(provenance)),
                (
                    "time",
                    .object(
                        JSONObject([
                            ("start", .string(startTime)), ("end", .string(endTime)),
                            ("wallSeconds", number(wallSeconds)), ("trainingSeconds", number(trainingSeconds))
                        ]))
                ),
                (
                    "results",
                    .object(
                        JSONObject([
                            ("iterations", JSONValue(iterations)),
                            ("imagesSeen", JSONValue(imagesSeen)),
                            ("finalTrainLoss", number(finalTrainLoss)),
                            ("checkpoints", .array(checkpoints))
                        ]))
                ),
                ("files", .object(JSONObject([("curves", .string("curves.csv")), ("hdf5", .string("run.h5"))])))
            ]))
    }

    /// Reads a run.json; throws naming the file and the first missing or malformed field.
    public init(json value: JSONValue, source: String) throws {
        func bad(_ field: String) -> GFEError {
            .badInput(
                "\(source): run record field '\(field)' is missing or malformed (the file is not a gfe run.json of format \(Self.format))"
            )
        }
        guard case .object(let o) = value else { throw bad("(top level)") }
        func get(_ path: String) -> JSONValue? {
            var node: JSONValue = .object(o)
            for key in path.split(separator: ".") {
                guard case .object(let obj) = node, let next = obj[String(key)] else { return nil }
                node = next
            }
            if case .null = node { return nil }
            return node
        }
        func string(_ path: String) throws -> String {
            guard let s = get(path)?.stringValue else { throw bad(path) }
            return s
        }
        func int(_ path: String) throws -> Int {
            guard let i = get(path)?.intValue else { throw bad(path) }
            return i
        }
        func double(_ path: String) -> Double? {
            guard let v = get(path) else { return nil }
            return v.doubleValue ?? v.stringValue.flatMap(Double.init)
        }
        guard try string("format") == Self.format else { throw bad("format") }
        guard let status = Status(rawValue: try string("status")) else { throw bad("status") }
        self.status = status
        reason = get("reason")?.stringValue
        diverged = get("diverged")?.boolValue ?? false
        experiment = try string("experiment")
        runId = try string("runId")
        index = try int("index")
        label = try string("label")
        swept = get("swept")?.objectValue ?? JSONObject()
        config = get("config") ?? .null
        outputs = get("outputs") ?? .null
        dataset = try string("data.dataset")
        dataFingerprint = try string("data.fingerprint")
        code = CodeVersion(
            id: try string("code.id"), gitCommit: get("code.gitCommit")?.stringValue,
            gitDirty: get("code.gitDirty")?.boolValue, repository: get("code.repository")?.stringValue,
            toolVersion: get("code.toolVersion")?.stringValue ?? "")
        provenance = get("provenance")?.objectValue ?? JSONObject()
        startTime = try string("time.start")
        endTime = try string("time.end")
        wallSeconds = double("time.wallSeconds") ?? 0
        trainingSeconds = double("time.trainingSeconds")
        iterations = try int("results.iterations")
        imagesSeen = try int("results.imagesSeen")
        finalTrainLoss = double("results.finalTrainLoss")
        var checkpoints: [CheckpointSummary] = []
        for (i, item) in (get("results.checkpoints")?.arrayValue ?? []).enumerated() {
            guard case .object(let c) = item, let iteration = c["iteration"]?.intValue,
                let seen = c["imagesSeen"]?.intValue, case .object(let m)? = c["metrics"]
            else {
                throw bad("results.checkpoints[\(i)]")
            }
            var metrics: [String: Double] = [:]
            for (k, v) in m.pairs { metrics[k] = v.doubleValue ?? v.stringValue.flatMap(Double.init) ?? .nan }
            checkpoints.append(
                CheckpointSummary(
                    iteration: iteration, imagesSeen: seen,
                    requestedImagesSeen: c["requestedImagesSeen"]?.intValue, metrics: metrics))
        }
        self.checkpoints = checkpoints
    }

    /// Reads the run.json at `path`.
    public static func read(_ path: String) throws -> RunRecord {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw GFEError.badInput("\(path): cannot read the run record")
        }
        return try RunRecord(
            json: try JSONParser.parse(String(decoding: data, as: UTF8.self), source: path), source: path)
    }
}
