import GFECore
import GFETraining

/// A planned run as one JSON object, so a worker process computes exactly what its parent planned without
/// reading the spec again:
///
///     {"experiment": "smoke", "index": 3, "runId": "0123456789ab", "swept": {"seed": 2021},
///      "config": {…resolved TrainingConfig…}, "outputs": {…}, "dataFingerprint": "…"}
///
/// The receiver decodes the configuration once (the strict `TrainingConfig` decoding) and recomputes the run
/// id from it with its own code version: a run whose id does not follow from what it carries is refused.
extension PlannedRun {
    public var transferJSON: JSONValue {
        .object(
            JSONObject([
                ("experiment", .string(experiment)), ("index", JSONValue(index)), ("runId", .string(id)),
                ("swept", .object(point.sweptObject)), ("config", point.resolved), ("outputs", outputs.json),
                ("dataFingerprint", .string(dataFingerprint))
            ]))
    }

    /// - Parameter codeVersion: this process's code version (`CodeVersion.id`), hashed into the checked id.
    public init(transfer value: JSONValue, codeVersion: String) throws {
        let source = "planned run"
        func bad(_ what: String) -> GFEError { .badInput("\(source): \(what)") }
        guard case .object(let o) = value, let experiment = o["experiment"]?.stringValue,
            let index = o["index"]?.intValue, let id = o["runId"]?.stringValue,
            case .object(let swept)? = o["swept"], let config = o["config"],
            let fingerprint = o["dataFingerprint"]?.stringValue
        else {
            throw bad(
                "expected an object with \"experiment\", \"index\", \"runId\", \"swept\", \"config\", "
                    + "\"outputs\" and \"dataFingerprint\"")
        }
        let outputs = try OutputSettings.read(o["outputs"], source: source)
        let decoded = try ResolvedExperiment.decode(config)
        let resolved = try ResolvedExperiment.resolvedJSON(decoded)
        let values = try swept.pairs.map { key, value in
            SweepValue(path: try ConfigPath(parsing: key, what: source), value: value, location: "run \(index)")
        }
        let point = ResolvedPoint(index: index, values: values, config: decoded, input: resolved, resolved: resolved)
        self.init(
            point: point, id: id, dataFingerprint: fingerprint, experiment: experiment, outputs: outputs,
            name: point.label)
        let expected = RunID.make(
            config: resolved, outputs: outputs.json, dataFingerprint: fingerprint, codeVersion: codeVersion)
        guard expected == id else {
            throw bad(
                "run \(index) of \(experiment) was sent as \(id), but its configuration, outputs, data and code "
                    + "version \(codeVersion) give \(expected); the sender and this process run different code")
        }
    }
}
