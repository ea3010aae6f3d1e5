import GFECore
import GFETraining

/// The lines a sweep's parent and its worker processes exchange, one JSON object per line.
///
/// Parent → worker (stdin): `{"force": false, "run": {…}}` (`Task`), one task at a time.
/// Worker → parent (stdout): `{"event": "started" | "phase" | "progress" | "done", "index": 3, …}` (see
/// `encode(_:)`), plus `{"event": "ready"}` once the worker has planned, and
/// `{"event": "fatal", "message": "…"}` before it exits on an error that stops it altogether.
public enum WorkerProtocol {
    /// One run to compute: the planned run itself (`PlannedRun.transferJSON`), so the worker never resolves
    /// the spec again.
    public struct Task: Sendable {
        public var run: PlannedRun
        public var force: Bool

        public init(run: PlannedRun, force: Bool) {
            self.run = run
            self.force = force
        }

        public var line: String {
            JSONValue.object(JSONObject([("force", .bool(force)), ("run", run.transferJSON)])).compactText
        }

        /// Decodes a task and checks its run id against this process's code version.
        public init(line: String, codeVersion: String) throws {
            let v = try JSONParser.parse(line, source: "worker task")
            guard case .object(let o) = v, let force = o["force"]?.boolValue, let run = o["run"] else {
                throw GFEError.badInput("worker task: expected {\"force\", \"run\"}, got \(line.clipped)")
            }
            self.init(run: try PlannedRun(transfer: run, codeVersion: codeVersion), force: force)
        }
    }

    /// What the parent hears from a worker.
    public enum Message: Sendable, Equatable {
        case ready
        case event(RunEvent)
        case fatal(String)
    }

    public static func encode(_ event: RunEvent) -> String {
        var o = JSONObject()
        switch event {
        case .started(let index, let runId):
            o["event"] = .string("started")
            o["index"] = JSONValue(index)
            o["runId"] = .string(runId)
        case .phase(let index, let phase):
            o["event"] = .string("phase")
            o["index"] = JSONValue(index)
            o["phase"] = .string(phase)
        case .progress(let index, let p):
            o["event"] = .string("progress")
            o["index"] = JSONValue(index)
            o["iteration"] = JSONValue(p.iteration)
            o["totalIterations"] = JSONValue(p.totalIterations)
            o["imagesSeen"] = JSONValue(p.imagesSeen)
            o["loss"] = p.loss.isFinite ? JSONValue(p.loss) : .string("\(p.loss)")
            o["imagesPerSecond"] = p.imagesPerSecond.isFinite ? JSONValue(p.imagesPerSecond) : JSONValue(0)
            o["trainingSeconds"] = JSONValue(p.trainingSeconds)
            o["evaluationImagesPlanned"] = JSONValue(p.evaluationImagesPlanned)
            o["evaluationImagesDone"] = JSONValue(p.evaluationImagesDone)
            o["evaluationSeconds"] = JSONValue(p.evaluationSeconds)
            if let e = p.evaluation {
                o["evaluation"] = .object(
                    JSONObject([
                        ("label", .string(e.label)), ("done", JSONValue(e.done)), ("total", JSONValue(e.total)),
                        ("seconds", JSONValue(e.seconds))
                    ]))
            }
        case .done(let r):
            o["event"] = .string("done")
            o["index"] = JSONValue(r.index)
            o["runId"] = .string(r.runId)
            o["status"] = .string(r.status.rawValue)
            if let reason = r.reason { o["reason"] = .string(reason) }
            o["wallSeconds"] = JSONValue(r.wallSeconds)
        }
        return JSONValue.object(o).compactText
    }

    public static func ready() -> String { #"{"event":"ready"}"# }

    public static func fatal(_ message: String) -> String {
        JSONValue.object(JSONObject([("event", .string("fatal")), ("message", .string(message))])).compactText
    }

    /// Decodes a worker line; nil for a line that is not a protocol message (it is shown as text).
    public static func decode(_ line: String) -> Message? {
        guard line.hasPrefix("{"), let v = try? JSONParser.parse(line, source: "worker"), case .object(let o) = v,
            let kind = o["event"]?.stringValue
        else { return nil }
        let index = o["index"]?.intValue ?? -1
        switch kind {
        case "ready": return .ready
        case "fatal": return .fatal(o["message"]?.stringValue ?? "the worker stopped")
        case "started": return .event(.started(index: index, runId: o["runId"]?.stringValue ?? ""))
        case "phase": return .event(.phase(index: index, o["phase"]?.stringValue ?? ""))
        case "progress":
            let loss = o["loss"]?.doubleValue ?? o["loss"]?.stringValue.flatMap(Double.init) ?? .nan
            var evaluation: EvaluationStage?
            if case .object(let e)? = o["evaluation"] {
                evaluation = EvaluationStage(
                    label: e["label"]?.stringValue ?? "", done: e["done"]?.intValue ?? 0,
                    total: e["total"]?.intValue ?? 0,
                    seconds: e["seconds"]?.doubleValue ?? 0)
            }
            return .event(
                .progress(
                    index: index,
                    TrainingProgress(
                        iteration: o["iteration"]?.intValue ?? 0, totalIterations: o["totalIterations"]?.intValue ?? 0,
                        imagesSeen: o["imagesSeen"]?.intValue ?? 0, loss: loss,
                        imagesPerSecond: o["imagesPerSecond"]?.doubleValue ?? 0,
                        trainingSeconds: o["trainingSeconds"]?.doubleValue ?? 0, evaluation: evaluation,
                        evaluationImagesPlanned: o["evaluationImagesPlanned"]?.intValue ?? 0,
                        evaluationImagesDone: o["evaluationImagesDone"]?.intValue ?? 0,
                        evaluationSeconds: o["evaluationSeconds"]?.doubleValue ?? 0)))
        case "done":
            guard let status = RunOutcome.Status(rawValue: o["status"]?.stringValue ?? "") else { return nil }
            return .event(
                .done(
                    RunOutcome(
                        index: index, runId: o["runId"]?.stringValue ?? "", status: status,
                        reason: o["reason"]?.stringValue, wallSeconds: o["wallSeconds"]?.doubleValue ?? 0)))
        default: return nil
        }
    }
}
