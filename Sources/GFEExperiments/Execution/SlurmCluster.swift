import Foundation
import GFECore
import GFEProcess

/// The Slurm commands `gfe` uses (sbatch, squeue, scancel), run as child processes: a Slurm client library
/// would tie the binary to one Slurm version, the commands' output formats are stable.
public struct SlurmCluster: Sendable {
    /// One array task as squeue sees it.
    public struct Task: Sendable, Equatable {
        /// PENDING, RUNNING, COMPLETING, COMPLETED, CANCELLED, FAILED, TIMEOUT, OUT_OF_MEMORY, NODE_FAIL, …
        public var state: String
        /// Why it is pending (Priority, Resources, …), or "None".
        public var reason: String
        public var node: String

        public init(state: String, reason: String, node: String) {
            self.state = state
            self.reason = reason
            self.node = node
        }

        /// Slurm's reason, unless it gives none ("None").
        public var why: String? { reason == "None" || reason.isEmpty ? nil : reason }

        /// Still queued or running: its run may yet be computed.
        public var isActive: Bool { ["PENDING", "CONFIGURING", "RUNNING", "COMPLETING", "SUSPENDED"].contains(state) }

        /// Pending for a reason that waiting does not remove: the request exceeds what the partition, the
        /// account or the QOS allows (e.g. more CPUs per task than any node has), so the task would wait forever.
        public var cannotStart: Bool {
            state == "PENDING"
                && [
                    "PartitionConfig", "PartitionNodeLimit", "PartitionTimeLimit", "BadConstraints", "InvalidAccount",
                    "InvalidQOS"
                ].contains(reason)
        }
    }

    public init() {}

    /// Submits `script` (`sbatch --parsable`) and returns the job id.
    public func submit(_ script: String) throws -> String {
        let r = try command("sbatch", ["--parsable", script])
        // --parsable prints "jobid" or "jobid;cluster".
        let id = r.output.split(separator: "\n").last.map { String($0.prefix { $0 != ";" }) } ?? ""
        guard r.status == 0, !id.isEmpty, id.allSatisfy(\.isNumber) else {
            // Nothing ran: a partition, time or account Slurm refuses is the user's to change.
            throw GFEError.badInput("sbatch refused the job \(script): " + Self.message(r))
        }
        return id
    }

    /// The array tasks of `jobs` that Slurm still knows (queued, running, or ended within its MinJobAge),
    /// keyed by "job_task". A job Slurm has forgotten is simply absent.
    public func tasks(of jobs: [String]) throws -> [String: Task] {
        guard !jobs.isEmpty else { return [:] }
        var all: [String: Task] = [:]
        // One call per job: squeue rejects the whole list when any job in it has been forgotten.
        for job in Set(jobs).sorted() {
            let r = try command("squeue", ["-h", "-r", "-t", "all", "-j", job, "-o", "%F|%K|%T|%r|%N"])
            if r.status != 0 {
                if r.errors.contains("Invalid job id") { continue }
                throw GFEError.runFailure("squeue could not list job \(job): " + Self.message(r))
            }
            all.merge(Self.parseTasks(r.output)) { $1 }
        }
        return all
    }

    /// Parses `squeue -o "%F|%K|%T|%r|%N"` lines (%F: the array's job id; a started task has its own job id too, %A); a job that is not an array has task "N/A".
    public static func parseTasks(_ text: String) -> [String: Task] {
        var tasks: [String: Task] = [:]
        for line in text.split(separator: "\n") {
            let f = line.split(separator: "|", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            guard f.count >= 5, !f[0].isEmpty else { continue }
            tasks["\(f[0])_\(f[1])"] = Task(state: f[2], reason: f[3], node: f[4])
        }
        return tasks
    }

    /// Cancels jobs or array tasks ("123", "123_4").
    public func cancel(_ ids: [String]) throws {
        guard !ids.isEmpty else { return }
        let r = try command("scancel", ids)
        guard r.status == 0 else {
            throw GFEError.runFailure("scancel \(ids.joined(separator: " ")): " + Self.message(r))
        }
    }

    private func command(_ name: String, _ arguments: [String]) throws -> ChildProcess.Result {
        do {
            return try ChildProcess.run(name, arguments: arguments)
        } catch {
            throw GFEError.badInput(
                "cannot run \(name) (is this a Slurm login node with the Slurm client commands on PATH?): "
                    + ((error as? ReportableError)?.message ?? "\(error)"))
        }
    }

    private static func message(_ r: ChildProcess.Result) -> String {
        let text = (r.errors + r.output).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? "exit status \(r.status)" : text
    }
}
