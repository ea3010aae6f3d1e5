import Foundation

/// `gfe status`: every planned run with its state and folder.
public struct StatusReport: Sendable {
    public struct Entry: Sendable {
        public var run: PlannedRun
        public var state: RunState
        /// The run's folder when it exists.
        public var folder: String?
    }

    public var plan: ExperimentPlan
    public var store: RunStore
    public var entries: [Entry]

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

    public func count(where predicate: (RunState) -> Bool) -> Int { entries.filter { predicate($0.state) }.count }

    /// A count line, then a table: index, run id, state, swept values, folder; failure reasons under their run.
    public var text: String {
        let finished = count { $0.isFinished }
        let failed = count { if case .failed = $0 { true } else { false } }
        let running = count { $0.isRunning }
        let notStarted = entries.count - finished - failed - running
        var head = "\(plan.name): \(entries.count) planned run\(entries.count == 1 ? "" : "s"): \(finished) finished"
        if failed > 0 { head += ", \(failed) failed" }
        if running > 0 { head += ", \(running) running" }
        head += ", \(notStarted) not started   (\(store.folder))"
        var rows: [[String]] = [["index", "run id", "state", "swept values", "folder"]]
        var notes: [Int: String] = [:]
        for (n, e) in entries.enumerated() {
            var state: String
            switch e.state {
            case .finished(let r): state = "finished" + (r.code.gitDirty == true ? " (dirty tree)" : "")
            case .failed(let r):
                state = "failed"
                notes[n] = r.reason ?? "no reason recorded"
            case .running(let owner): state = "running" + (owner.map { " (\($0))" } ?? "")
            case .notStarted: state = "not started"
            case .unreadable(let why):
                state = "unreadable"
                notes[n] = why
            }
            rows.append([String(e.run.index), e.run.id, state, e.run.label, e.folder ?? "—"])
        }
        let table = ResultsTable.align(rows).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var lines = [head, table[0]]
        for (n, line) in table.dropFirst().enumerated() {
            lines.append(line)
            if let note = notes[n] { lines.append("      └ \(note)") }
        }
        return lines.joined(separator: "\n")
    }
}
