import Foundation
import GFECore
import GFEStore

/// `gfe export SPEC --mlflow DIR`: the experiment's stored runs as an MLflow file store (the `mlruns` layout
/// `mlflow ui --backend-store-uri DIR` and `MlflowClient` read), so runs can be browsed, filtered and plotted
/// with MLflow's tools.
///
/// One MLflow experiment per spec (its name; the id a number derived from it, so exports of several specs
/// share one store), one MLflow run per stored gfe run (finished or failed), under the gfe run id:
/// - params: every leaf of the resolved configuration, dotted (`encoder.method`, `optimiser.lr`; lists as
///   JSON);
/// - metrics: every curves.csv metric (training, validation and checkpoint losses, solve counters) with
///   step = iteration and timestamp = the run's start + its wall seconds, `images_seen` beside them, and the
///   checkpoint metrics curves.csv lacks (passes, CPU seconds) at their checkpoint's iteration;
/// - tags: the run name (its label), gfe's run id, code version, dirty flag, data fingerprint, status and
///   failure reason, and the swept values;
/// - artifacts: run.json, curves.csv and run.h5, copied.
/// Exporting again replaces those runs' folders (and nothing else in DIR).
public struct MLflowExport: Sendable {
    public var status: StatusReport
    public var root: String

    public init(plan: ExperimentPlan, store: RunStore, root: String) {
        status = StatusReport(plan: plan, store: store)
        self.root = root
    }

    /// The experiment id: a decimal number from the spec name (FNV-1a), stable across exports.
    static func experimentId(_ name: String) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in name.utf8 {
            h ^= UInt64(b)
            h = h &* 0x100_0000_01b3
        }
        return String(h >> 1)
    }

    /// Writes the store; returns how many runs it exported and the experiment id.
    public func write() throws -> (runs: Int, experimentId: String) {
        let absolute = URL(fileURLWithPath: root).standardizedFileURL.path
        let id = Self.experimentId(status.plan.name)
        let folder = absolute + "/" + id
        let fm = FileManager.default
        let metaPath = folder + "/meta.yaml"
        if let existing = try? String(contentsOfFile: metaPath, encoding: .utf8),
            !existing.split(separator: "\n").contains(Substring("name: " + Self.yamlString(status.plan.name)))
        {
            throw GFEError.badInput(
                "export: \(metaPath) belongs to another experiment; give another --mlflow folder")
        }
        try AtomicFile.createFolder(folder, what: "the MLflow experiment folder", failure: GFEError.runFailure)
        let now = Self.milliseconds(Date())
        if !fm.fileExists(atPath: metaPath) {
            try AtomicFile.write(
                Self.yaml([
                    ("artifact_location", Self.yamlString("file://" + folder)), ("creation_time", "\(now)"),
                    ("experiment_id", "'\(id)'"), ("last_update_time", "\(now)"), ("lifecycle_stage", "active"),
                    ("name", Self.yamlString(status.plan.name))
                ]), to: metaPath)
        }
        // The kind makes MLflow 3's UI open the experiment on its training runs, not on GenAI traces.
        try writeTags(
            folder + "/tags",
            [
                ("mlflow.note.content", status.plan.spec.description ?? ""),
                ("mlflow.experimentKind", "custom_model_development")
            ])
        var exported = 0
        for e in status.entries {
            guard let record = e.state.record else { continue }
            try writeRun(
                record, name: RunNames(e.run, in: status.plan).label, from: status.store.runFolder(e.run.id),
                into: folder + "/" + e.run.id, experiment: id)
            exported += 1
        }
        return (exported, id)
    }

    /// `name`: the run's label by the spec's sweep labels (`RunNames`), as in figures and `gfe runs`.
    private func writeRun(
        _ record: RunRecord, name: String, from source: String, into folder: String, experiment: String
    )
        throws
    {
        let fm = FileManager.default
        if fm.fileExists(atPath: folder) { try fm.removeItem(atPath: folder) }
        for sub in ["params", "metrics", "tags", "artifacts"] {
            try AtomicFile.createFolder(folder + "/" + sub, what: "the MLflow run folder", failure: GFEError.runFailure)
        }
        let start = Self.milliseconds(Self.date(record.startTime) ?? Date())
        let end = Self.milliseconds(Self.date(record.endTime) ?? Date())
        try AtomicFile.write(
            Self.yaml([
                ("artifact_uri", Self.yamlString("file://" + folder + "/artifacts")), ("end_time", "\(end)"),
                ("entry_point_name", "''"), ("experiment_id", "'\(experiment)'"), ("lifecycle_stage", "active"),
                ("run_id", record.runId), ("run_name", Self.yamlString(name)), ("source_name", "''"),
                ("source_type", "4"), ("source_version", "''"), ("start_time", "\(start)"),
                ("status", record.status == .finished ? "3" : "4"), ("tags", "[]"),
                ("user_id", Self.yamlString(ProcessInfo.processInfo.environment["USER"] ?? "gfe"))
            ]), to: folder + "/meta.yaml")

        var params: [(String, String)] = []
        Self.leaves(record.config, path: "", into: &params)
        for (key, value) in params { try AtomicFile.write(value, to: folder + "/params/" + key) }

        var tags: [(String, String)] = [
            ("mlflow.runName", name), ("mlflow.source.type", "LOCAL"), ("mlflow.source.name", "gfe"),
            ("gfe.run_id", record.runId), ("gfe.experiment", record.experiment), ("gfe.index", "\(record.index)"),
            ("gfe.status", record.status.rawValue), ("gfe.code_version", record.code.id),
            ("gfe.data_fingerprint", record.dataFingerprint)
        ]
        if let dirty = record.code.gitDirty { tags.append(("gfe.git_dirty", "\(dirty)")) }
        if let reason = record.reason { tags.append(("gfe.failure", reason)) }
        for key in record.swept.keys { tags.append(("swept." + key, record.swept[key]!.shortText)) }
        try writeTags(folder + "/tags", tags)

        // Metrics: curves by iteration, checkpoint metrics at their checkpoint's iteration.
        var series: [String: [(step: Int, time: Int64, value: String)]] = [:]
        let curvesPath = source + "/curves.csv"
        if FileManager.default.fileExists(atPath: curvesPath) {
            let curves = try CSV.read(curvesPath)
            let c = try ["iteration", "images_seen", "wall_s", "metric", "value"].map(curves.columnIndex)
            var imagesSeen: [Int: String] = [:]
            for row in curves.rows {
                guard let step = Int(row[c[0]]) else { continue }
                let time = start + Int64(((Double(row[c[2]]) ?? 0) * 1000).rounded())
                series[row[c[3]], default: []].append((step, time, Self.metricValue(row[c[4]])))
                if imagesSeen[step] == nil {
                    imagesSeen[step] = row[c[1]]
                    series["images_seen", default: []].append((step, time, row[c[1]]))
                }
            }
        }
        // Checkpoint metrics curves.csv does not already hold (it holds the losses at their iterations).
        let fromCurves = Set(series.keys)
        for checkpoint in record.checkpoints {
            for (name, value) in checkpoint.metrics where !fromCurves.contains(name) {
                series[name, default: []].append((checkpoint.iteration, end, Self.metricValue("\(value)")))
            }
        }
        for (name, points) in series {
            try AtomicFile.write(
                points.map { "\($0.time) \($0.value) \($0.step)\n" }.joined(), to: folder + "/metrics/" + name)
        }
        for file in ["run.json", "curves.csv", "run.h5"] where fm.fileExists(atPath: source + "/" + file) {
            try fm.copyItem(atPath: source + "/" + file, toPath: folder + "/artifacts/" + file)
        }
    }

    private func writeTags(_ folder: String, _ tags: [(String, String)]) throws {
        try AtomicFile.createFolder(folder, what: "the MLflow tags folder", failure: GFEError.runFailure)
        for (key, value) in tags { try AtomicFile.write(value, to: folder + "/" + key) }
    }

    /// The leaves of a resolved configuration as (dotted path, value) params; lists and empty objects as JSON.
    static func leaves(_ value: JSONValue, path: String, into out: inout [(String, String)]) {
        if case .object(let o) = value, !o.keys.isEmpty {
            for key in o.keys { leaves(o[key]!, path: path.isEmpty ? key : path + "." + key, into: &out) }
        } else if case .string(let s) = value {
            out.append((path, s))
        } else {
            out.append((path, value.compactText))
        }
    }

    /// MLflow's file store reads values with Python's float(): "nan", "inf" and "-inf" for the non-finite.
    static func metricValue(_ cell: String) -> String {
        guard let v = Double(cell) else { return "nan" }
        return v.isNaN ? "nan" : (v.isInfinite ? (v > 0 ? "inf" : "-inf") : cell)
    }

    static func date(_ iso: String) -> Date? {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.date(from: iso) ?? ISO8601DateFormatter().date(from: iso)
    }

    static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }

    static func yaml(_ fields: [(String, String)]) -> String { fields.map { "\($0.0): \($0.1)\n" }.joined() }

    /// A YAML single-quoted scalar ('' inside for a quote).
    static func yamlString(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "''") + "'" }
}
