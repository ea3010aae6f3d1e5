import Foundation
import GFECore
import GFEData
import GFEStore
import GFETraining

#if canImport(Glibc)
import Glibc
#endif

/// The state of a planned run in the store.
public enum RunState: Sendable {
    case notStarted
    /// Some process holds the run's lock; `owner` is "host pid N" when its working folder says so.
    case running(owner: String?)
    case finished(RunRecord)
    case failed(RunRecord)
    /// A run folder whose run.json cannot be read (the run is treated as not done).
    case unreadable(String)

    public var isFinished: Bool { if case .finished = self { true } else { false } }
    public var isRunning: Bool { if case .running = self { true } else { false } }
    /// The record of a run that diverged (`RunRecord.diverged`): kept rather than recomputed unless forced.
    public var divergedRecord: RunRecord? { if case .failed(let r) = self, r.diverged { r } else { nil } }
    /// The run.json of a finished or failed run (a failed run keeps the checkpoints it reached).
    public var record: RunRecord? {
        switch self {
        case .finished(let r), .failed(let r): r
        default: nil
        }
    }

    /// "finished", "failed: reason", "running (host pid 12)", "not started".
    public var summary: String {
        switch self {
        case .notStarted: "not started"
        case .running(let owner): "running" + (owner.map { " (\($0))" } ?? "")
        case .finished: "finished"
        case .failed(let r): "failed: \(r.reason ?? "no reason recorded")"
        case .unreadable(let why): "unreadable run folder (\(why)); it will be rerun"
        }
    }
}

/// The run store of one experiment (docs/results.md):
///
///     <root>/<experiment>/<run-id>/                 a finished or failed run: run.json, curves.csv, run.h5
///     <root>/<experiment>/.<run-id>.partial-<host>-<pid>/   a run being computed (hidden)
///     <root>/<experiment>/.locks/<run-id>.lock      held (flock) while the run is computed
///     <root>/<experiment>/table.csv                 `gfe table`
///
/// A run is computed in its partial folder; run.json goes in last, then the folder is renamed to
/// `<run-id>/` in one step. So `<run-id>/` only ever holds a complete run, and a killed process leaves
/// only a hidden partial folder, removed by the next process that takes the run's lock.
public struct RunStore: Sendable {
    /// The results root (default `results`).
    public var root: String
    public var experiment: String

    public init(root: String, experiment: String) {
        self.root = root
        self.experiment = experiment
    }

    public var folder: String { root + "/" + experiment }
    public var locksFolder: String { folder + "/.locks" }
    public var tablePath: String { folder + "/table.csv" }

    /// Where `gfe table` writes by default: table.csv for the spec as it is, and for a spec changed by
    /// overrides or --seeds a table of its own, `table-<8 hex digits>.csv` (from the arguments), so that it
    /// never replaces the spec's own table.
    public func tablePath(overrides: [String], seeds: String?) -> String {
        guard !overrides.isEmpty || seeds != nil else { return tablePath }
        let arguments = overrides.map { "--set \($0)" } + (seeds.map { ["--seeds \($0)"] } ?? [])
        return folder + "/table-" + Checksum.sha256(arguments.joined(separator: "\n")).prefix(8) + ".csv"
    }

    public func runFolder(_ id: String) -> String { folder + "/" + id }
    public func lockPath(_ id: String) -> String { locksFolder + "/" + id + ".lock" }
    public func recordPath(_ id: String) -> String { runFolder(id) + "/run.json" }

    /// This process's working folder for run `id`.
    public func partialFolder(_ id: String) -> String {
        folder + "/.\(id).partial-\(Provenance.hostName)-\(getpid())"
    }

    /// The state of run `id`.
    public func state(of id: String) -> RunState {
        let record = recordPath(id)
        if FileManager.default.fileExists(atPath: runFolder(id)) {
            if let r = try? RunRecord.read(record) {
                if r.status == .finished { return .finished(r) }
                if !RunLock.isHeld(lockPath(id)) { return .failed(r) }
            } else if !RunLock.isHeld(lockPath(id)) {
                return .unreadable(
                    FileManager.default.fileExists(atPath: record) ? "run.json is malformed" : "no run.json")
            }
        }
        if RunLock.isHeld(lockPath(id)) { return .running(owner: owner(of: id)) }
        return .notStarted
    }

    /// "host pid N" from the name of a partial folder of `id`, if there is one.
    func owner(of id: String) -> String? {
        let prefix = ".\(id).partial-"
        guard let name = entries().first(where: { $0.hasPrefix(prefix) }) else { return nil }
        let rest = name.dropFirst(prefix.count)
        guard let dash = rest.lastIndex(of: "-") else { return nil }
        return "\(rest[..<dash]) pid \(rest[rest.index(after: dash)...])"
    }

    private func entries() -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
    }

    /// Links finished runs of other experiments under the same results root into this experiment's folder.
    ///
    /// A run id is a hash of the resolved configuration, the outputs, the data and the code version, so a
    /// finished run of that id elsewhere (say results/table2-mnist/8ac27e610dd0 for the fig5 spec) is this
    /// run: it is linked as `<id> → ../<other experiment>/<id>` (a relative symbolic link) instead of being
    /// computed again, and every command then sees it as this experiment's own. Runs already present here are
    /// left alone. Returns each adopted id with the experiment it came from. Call before planning work.
    public func adoptFinishedRuns(_ ids: [String]) throws -> [(id: String, from: String)] {
        let fm = FileManager.default
        let others = ((try? fm.contentsOfDirectory(atPath: root)) ?? []).filter {
            $0 != experiment && !$0.hasPrefix(".")
        }.sorted()
        var adopted: [(id: String, from: String)] = []
        for id in ids where (try? fm.attributesOfItem(atPath: runFolder(id))) == nil {
            for other in others {
                let source = RunStore(root: root, experiment: other)
                guard case .finished = source.state(of: id) else { continue }
                // To the run's real folder: an adopted run is itself a link "../<experiment>/<id>", which
                // means the same from every experiment folder (they are siblings).
                let relative = (try? fm.destinationOfSymbolicLink(atPath: source.runFolder(id))) ?? "../\(other)/\(id)"
                guard symlink(relative, runFolder(id)) == 0 else {
                    throw GFEError.runFailure(
                        "cannot link the finished run \(source.runFolder(id)) into \(folder): "
                            + String(cString: strerror(errno)))
                }
                adopted.append((id, other))
                break
            }
        }
        return adopted
    }

    /// Creates the experiment's folders.
    public func prepare() throws {
        try AtomicFile.createFolder(locksFolder, what: "the results folder")
    }

    /// Takes run `id`'s lock (nil when another process holds it) and tidies what dead processes left for it:
    /// partial folders are removed, and a finished run moved aside by an interrupted replacement is put back.
    public func claim(_ id: String) throws -> RunLock? {
        try prepare()
        guard let lock = try RunLock.tryAcquire(lockPath(id)) else { return nil }
        for name in entries() {
            let path = folder + "/" + name
            if name.hasPrefix(".\(id).partial-") {
                try? FileManager.default.removeItem(atPath: path)
            } else if name.hasPrefix(".\(id).old-") {
                if !FileManager.default.fileExists(atPath: runFolder(id)) && rename(path, runFolder(id)) == 0 {
                    continue
                }
                try? FileManager.default.removeItem(atPath: path)
            }
        }
        return lock
    }

    /// Removes the partial folders of every run whose lock is free (their processes are gone).
    public func removeStalePartials() {
        for name in entries() where name.hasPrefix(".") && name.contains(".partial-") {
            let id = String(name.dropFirst().prefix { $0 != "." })
            if let lock = try? claim(id) { lock.release() }
        }
    }

    /// Moves the complete run in `partial` to `<run-id>/`, replacing an earlier run folder of `id` (a failed
    /// run, or one rerun with --force). Call holding the run's lock.
    public func commit(partial: String, id: String) throws {
        let target = runFolder(id)
        var aside: String?
        if FileManager.default.fileExists(atPath: target) {
            let old = folder + "/.\(id).old-\(getpid())"
            guard rename(target, old) == 0 else { throw systemError("move the earlier run folder \(target) aside") }
            aside = old
        }
        guard rename(partial, target) == 0 else {
            let error = systemError("move the finished run from \(partial) to \(target)")
            if let aside { _ = rename(aside, target) }
            throw error
        }
        if let aside { try? FileManager.default.removeItem(atPath: aside) }
        let fd = open(folder, O_RDONLY | O_DIRECTORY)
        if fd >= 0 {
            _ = fsync(fd)
            close(fd)
        }
    }

    private func systemError(_ what: String) -> GFEError {
        .runFailure("could not \(what): \(String(cString: strerror(errno)))")
    }
}
