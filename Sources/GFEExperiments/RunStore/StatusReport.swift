import Foundation
import GFECore

/// `gfe status`: every planned run with its state and folder.
public struct StatusReport: Sendable {
    public struct Entry: Sendable {
        public var run: PlannedRun
        public var state: RunState
        /// The run's folder when it exists.
        public var folder: String?
        /// The Slurm array task last submitted for the run, when there is one and the run has not finished.
        public var cluster: ClusterTask?

        /// Its task is queued or running on the cluster and the run is not being computed yet (an earlier
        /// attempt may have failed: this one replaces it).
        public var queued: Bool {
            guard cluster?.task?.isActive == true else { return false }
            switch state {
            case .notStarted, .failed: return true
            default: return false
            }
        }

        /// Its task ended (or Slurm forgot it) without storing the run: cancelled, out of time, killed.
        public var endedOnCluster: Bool {
            guard let cluster, cluster.task?.isActive != true else { return false }
            switch state {
            case .notStarted: return true
            case .failed(let r): return r.endTime < cluster.submitted
            default: return false
            }
        }

        /// Failed, ended on the cluster without a result, or a run folder that cannot be read: something to look
        /// at (and `gfe status` exits 1).
        public var failed: Bool {
            switch state {
            case .failed: return !queued
            case .unreadable: return true
            default: return endedOnCluster
            }
        }
    }

    /// A run's array task: "job_task", what squeue says of it (nil: Slurm has forgotten it), its log's end.
    public struct ClusterTask: Sendable {
        public var key: String
        public var task: SlurmCluster.Task?
        public var logTail: [String]
        /// When its job was submitted (ISO 8601).
        public var submitted: String
    }

    public var plan: ExperimentPlan
    public var store: RunStore
    public var entries: [Entry]

    /// Something to say under the table (that Slurm could not be asked).
    public private(set) var remark: String?

    public init(plan: ExperimentPlan, store: RunStore) {
        self.plan = plan
        self.store = store
        entries = plan.runs.map { r in
            let folder = store.runFolder(r.id)
            return Entry(
                run: r, state: store.state(of: r.id),
                folder: FileManager.default.fileExists(atPath: folder) ? folder : nil)
        }
    }

    /// Adds Slurm's view of the array tasks last submitted for the unfinished runs (`gfe run --executor
    /// slurm`), asking squeue once per job concerned; when it cannot be asked, `remark` says so.
    public mutating func askSlurm(_ cluster: SlurmCluster = SlurmCluster()) {
        let submissions = SlurmSubmissions(store: store)
        let latest = submissions.latestTasks(for: Set(entries.filter { !$0.state.isFinished }.map(\.run.id)))
        guard !latest.isEmpty else { return }
        let tasks: [String: SlurmCluster.Task]
        do {
            tasks = try cluster.tasks(of: latest.values.map(\.job))
        } catch {
            remark = "Slurm could not be asked about the jobs (\((error as? ReportableError)?.message ?? "\(error)"))"
            return
        }
        for n in entries.indices {
            guard let l = latest[entries[n].run.id] else { continue }
            let key = "\(l.job)_\(l.task)"
            entries[n].cluster = ClusterTask(
                key: key, task: tasks[key], logTail: submissions.logTail(runId: entries[n].run.id, count: 1),
                submitted: l.submitted)
        }
    }

    public func count(where predicate: (RunState) -> Bool) -> Int { entries.filter { predicate($0.state) }.count }

    /// Runs that failed, whose Slurm task ended without a result, or whose folder cannot be read.
    public var failedCount: Int { entries.filter(\.failed).count }

    /// An entry's state as `gfe status` words it, and a note on why it failed or ended, if any.
    func describe(_ e: Entry) -> (state: String, note: String?) {
        var state: String
        var note: String? = nil
        switch e.state {
        case .finished(let r): state = "finished" + (r.code.gitDirty == true ? " (dirty tree)" : "")
        case .failed(let r):
            state = "failed"
            note = r.reason ?? "no reason recorded"
        case .running(let owner): state = "running" + (owner.map { " (\($0))" } ?? "")
        case .notStarted: state = "not started"
        case .unreadable(let why):
            state = "unreadable"
            note = why
        }
        if let c = e.cluster, let t = c.task, e.queued {
            state =
                t.state == "PENDING"
                ? "pending" + (t.why.map { " (\($0))" } ?? "") : "\(t.state.lowercased()) on \(t.node)"
            if let earlier = note { note = "an earlier attempt failed: " + earlier }
        } else if let c = e.cluster, e.endedOnCluster {
            state = "ended on the cluster"
            note = SlurmFollower.endedWithoutResult(job: c.key, task: c.task, log: c.logTail)
        }
        if let c = e.cluster { state += " · job \(c.key)" }
        return (state, note)
    }

    /// The counts of the head line: finished, failed (unreadable ones apart), unreadable, running, queued on
    /// the cluster, not started.
    var counts: [(String, Int)] {
        let finished = count { $0.isFinished }
        let unreadable = count { if case .unreadable = $0 { true } else { false } }
        let failed = failedCount - unreadable
        let running = count { $0.isRunning }
        let queued = entries.filter(\.queued).count
        let notStarted = entries.count - finished - failed - unreadable - running - queued
        return [
            ("finished", finished), ("failed", failed), ("unreadable", unreadable), ("running", running),
            ("queued", queued), ("notStarted", notStarted)
        ]
    }

    /// A count line, then a table: index, run id, state, swept values, folder; failure reasons under their run.
    public var text: String {
        let c = Dictionary(uniqueKeysWithValues: counts)
        var head =
            "\(plan.name): \(entries.count) planned run\(entries.count == 1 ? "" : "s"): \(c["finished"]!) finished"
        if c["failed"]! > 0 { head += ", \(c["failed"]!) failed" }
        if c["unreadable"]! > 0 { head += ", \(c["unreadable"]!) unreadable (gfe run computes them again)" }
        if c["running"]! > 0 { head += ", \(c["running"]!) running" }
        if c["queued"]! > 0 { head += ", \(c["queued"]!) queued on the cluster" }
        head += ", \(c["notStarted"]!) not started   (\(store.folder))"
        var rows: [[String]] = [["index", "run id", "state", "swept values", "folder"]]
        var notes: [Int: String] = [:]
        for (n, e) in entries.enumerated() {
            let (state, note) = describe(e)
            notes[n] = note
            rows.append([String(e.run.index), e.run.id, state, e.run.label, e.folder ?? "—"])
        }
        let table = ResultsTable.align(rows).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var lines = [head, table[0]]
        for (n, line) in table.dropFirst().enumerated() {
            lines.append(line)
            if let note = notes[n] { lines.append("      └ \(note)") }
        }
        if let remark { lines.append(remark) }
        return lines.joined(separator: "\n")
    }

    /// One word for an entry's state, for scripts: the keys of `counts`.
    func stateWord(_ e: Entry) -> String {
        if e.queued { return "queued" }
        if e.endedOnCluster { return "failed" }
        switch e.state {
        case .finished: return "finished"
        case .failed: return "failed"
        case .running: return "running"
        case .notStarted: return "notStarted"
        case .unreadable: return "unreadable"
        }
    }

    /// `gfe status --json`: the counts, then per run its index, id, state (a key of the counts), the table's
    /// wording of it, a note, swept values as JSON, folder (null before it exists), whether it was computed
    /// from a dirty tree, and the end time of a finished or failed run.
    public var json: JSONValue {
        let runs: [JSONValue] = entries.map { e in
            let (state, note) = describe(e)
            let record = e.state.record
            return .object(
                JSONObject([
                    ("index", JSONValue(e.run.index)), ("runId", .string(e.run.id)),
                    ("state", .string(stateWord(e))), ("description", .string(state)),
                    ("note", note.map(JSONValue.string) ?? .null), ("swept", .object(e.run.point.sweptObject)),
                    ("folder", e.folder.map(JSONValue.string) ?? .null),
                    ("gitDirty", record?.code.gitDirty.map(JSONValue.bool) ?? .null),
                    ("end", record.map { .string($0.endTime) } ?? .null)
                ]))
        }
        var countObject = JSONObject()
        for (name, n) in counts { countObject[name] = JSONValue(n) }
        return .object(
            JSONObject([
                ("experiment", .string(plan.name)), ("folder", .string(store.folder)),
                ("planned", JSONValue(entries.count)), ("counts", .object(countObject)),
                ("runs", .array(runs)), ("remark", remark.map(JSONValue.string) ?? .null)
            ]))
    }
}
