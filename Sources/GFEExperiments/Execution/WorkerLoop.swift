import Foundation
import GFECore
import GFEProcess
import GFETraining
import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

/// The worker side of a sweep (`gfe run SPEC --worker`): reads tasks from stdin, computes each with
/// `RunExecutor` and reports on stdout in `WorkerProtocol` lines.
///
/// End-of-file on stdin while idle means the sweep has no more work: the worker returns 0. End-of-file while a
/// run is being computed means the parent is gone (killed): the worker exits at once with 130, leaving only
/// the run's hidden partial folder, which the next process to take the run's lock removes.
public enum WorkerLoop {
    public static func serve(
        environment: RunEnvironment, train: @escaping RunExecutor.Training = RunExecutor.defaultTraining
    ) -> Int32 {
        let inbox = TaskInbox()
        let reader = Thread {
            ChildProcess.readLines(0) { inbox.push($0) }
            inbox.close()
        }
        reader.start()
        emit(WorkerProtocol.ready())
        while let line = inbox.next() {
            let task: WorkerProtocol.Task
            do { task = try WorkerProtocol.Task(line: line, codeVersion: environment.code.id) } catch {
                emit(WorkerProtocol.fatal((error as? ReportableError)?.message ?? "\(error)"))
                return 2
            }
            let run = task.run
            let started = ContinuousClock.now
            do {
                _ = try RunExecutor.execute(run, environment: environment, force: task.force, train: train) { event in
                    // Idle before the parent hears "done": it may close stdin as soon as it does.
                    if case .done = event { inbox.finishTask() }
                    emit(WorkerProtocol.encode(event))
                }
            } catch {
                // The store itself could not be written (a full disk, a lost folder): record the failure if a
                // small record still fits, so the run shows as failed with its reason until it is retried.
                let wall = secondsSince(started)
                var reason = (error as? ReportableError)?.message ?? "\(error)"
                do {
                    try RunExecutor.recordFailure(run, environment: environment, reason: reason, wallSeconds: wall)
                } catch {
                    reason +=
                        " (and the failure could not be recorded: \((error as? ReportableError)?.message ?? "\(error)"))"
                }
                inbox.finishTask()
                emit(
                    WorkerProtocol.encode(
                        .done(
                            RunOutcome(
                                index: run.index, runId: run.id, status: .failed, reason: reason, wallSeconds: wall))))
            }
        }
        return 0
    }

    private static let outputLock = NSLock()

    /// Writes one line to stdout, unbuffered (the parent reads it at once).
    static func emit(_ line: String) {
        outputLock.lock()
        defer { outputLock.unlock() }
        do {
            _ = try FileDescriptor.standardOutput.writeAll((line + "\n").utf8)
        } catch {
            _exit(130)  // the parent is gone
        }
    }
}

/// Lines read from stdin, handed to the main thread one at a time; knows whether a task is in progress
/// when stdin closes.
final class TaskInbox: @unchecked Sendable {
    private let condition = NSCondition()
    private var lines: [String] = []
    private var closed = false
    private var busy = false

    func push(_ line: String) {
        condition.lock()
        defer { condition.unlock() }
        if !line.isEmpty { lines.append(line) }
        condition.signal()
    }

    /// End of stdin: if a run is being computed the parent died, so stop now.
    func close() {
        condition.lock()
        closed = true
        let abandon = busy
        condition.signal()
        condition.unlock()
        if abandon { _exit(130) }
    }

    /// The next task line (marking the worker busy), or nil once stdin is closed and drained.
    func next() -> String? {
        condition.lock()
        defer { condition.unlock() }
        while lines.isEmpty && !closed { condition.wait() }
        guard !lines.isEmpty else { return nil }
        busy = true
        return lines.removeFirst()
    }

    func finishTask() {
        condition.lock()
        defer { condition.unlock() }
        busy = false
    }
}
