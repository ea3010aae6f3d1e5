import Foundation
import GFECore
import GFEStore

#if canImport(Glibc)
import Glibc
#endif

/// The Slurm side of an experiment's run store: `<results>/<experiment>/slurm/` holds the job scripts
/// `gfe run --executor slurm` submitted, one log per run id (`<run id>.log`, appended by every attempt, never
/// overwritten), `launch.out` (what Slurm itself writes about a task outside its run's log: launch errors, its
/// own "CANCELLED" notices), and `submissions.jsonl`: one line per submitted job array, naming the run id of each
/// array task. Slurm forgets a job minutes after it ends (without accounting); this record is what lets
/// `gfe status` and `gfe cancel` connect runs to jobs afterwards.
public struct SlurmSubmissions: Sendable {
    /// One submitted job array.
    public struct Submission: Codable, Sendable, Equatable {
        public var job: String
        /// ISO 8601, UTC.
        public var submitted: String
        public var script: String
        /// Plan index (as text, the array task id) → run id.
        public var runs: [String: String]

        public init(job: String, submitted: String, script: String, runs: [String: String]) {
            self.job = job
            self.submitted = submitted
            self.script = script
            self.runs = runs
        }
    }

    /// The experiment's Slurm folder.
    public let folder: String

    public init(store: RunStore) {
        folder = SlurmScript.logFolder(resultsRoot: store.root, experiment: store.experiment)
    }

    public var recordPath: String { folder + "/submissions.jsonl" }
    public var launchLog: String { folder + "/launch.out" }
    public func logPath(runId: String) -> String { folder + "/\(runId).log" }

    /// Appends one submission (a single write on an O_APPEND descriptor: lines of concurrent submitters do
    /// not interleave).
    public func append(_ submission: Submission) throws {
        try AtomicFile.createFolder(folder, what: "the Slurm folder")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let line = Array(try encoder.encode(submission)) + [UInt8(ascii: "\n")]
        let fd = open(recordPath, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw GFEError.runFailure("cannot open \(recordPath): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        let written = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == line.count else {
            throw GFEError.runFailure(
                "cannot record the Slurm job in \(recordPath): \(String(cString: strerror(errno)))")
        }
    }

    /// Every recorded submission, oldest first (a line that cannot be read, e.g. cut short by a full disk, is
    /// skipped).
    public func all() -> [Submission] {
        guard let text = try? String(contentsOfFile: recordPath, encoding: .utf8) else { return [] }
        let decoder = JSONDecoder()
        return text.split(separator: "\n").compactMap { try? decoder.decode(Submission.self, from: Data($0.utf8)) }
    }

    /// The latest submission of each run id among `ids`: the array task and when its job was submitted.
    public func latestTasks(for ids: Set<String>) -> [String: (job: String, task: String, submitted: String)] {
        var latest: [String: (job: String, task: String, submitted: String)] = [:]
        for s in all() {
            for (task, id) in s.runs where ids.contains(id) { latest[id] = (s.job, task, s.submitted) }
        }
        return latest
    }

    /// Of `runs`, those whose latest array task (`latest`, from `latestTasks`) Slurm still has queued or
    /// running, in plan order (squeue is asked only about the jobs concerned).
    public static func stillActive(
        _ runs: [PlannedRun], latest: [String: (job: String, task: String, submitted: String)], cluster: SlurmCluster
    ) throws -> [SlurmFollower.Tracked] {
        guard !latest.isEmpty else { return [] }
        let tasks = try cluster.tasks(of: latest.values.map(\.job))
        return runs.compactMap { r in
            guard let l = latest[r.id] else { return nil }
            let t = SlurmFollower.Tracked(index: r.index, job: l.job, task: l.task, submitted: l.submitted)
            return tasks[t.key]?.isActive == true ? t : nil
        }
    }

    /// The last `count` non-empty lines of run `id`'s log.
    public func logTail(runId id: String, count: Int = 3) -> [String] {
        Self.tail(of: logPath(runId: id), count: count)
    }

    static func tail(of path: String, count: Int) -> [String] {
        guard let handle = FileHandle(forReadingAtPath: path) else { return [] }
        defer { try? handle.close() }
        let size = (try? handle.seekToEnd()) ?? 0
        let window: UInt64 = 64 * 1024
        try? handle.seek(toOffset: size > window ? size - window : 0)
        let text = String(decoding: (try? handle.readToEnd()) ?? Data(), as: UTF8.self)
        return text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }).map {
            $0.trimmingCharacters(in: .whitespaces)
        }.filter { !$0.isEmpty }.suffix(count).map { $0 }
    }
}
