import Foundation
import GFECore
import GFEExperiments
import GFEProcess
import GFETestSupport
import GFETraining

/// Runs the built `gfe` binary the way a user does, for the experiment end-to-end tests: from the repository
/// root (so the data in data/ is found), with run ids pinned by GFE_CODE_VERSION (no git needed), in a
/// results root shared by the suite (so the data fingerprint is computed once).
enum ExperimentCLI {
    static let repositoryRoot = TestPaths.repositoryRoot

    /// The results root and spec folder of this test process.
    static let workspace: String = {
        let path = NSTemporaryDirectory() + "gfe-cli-experiments-\(getpid())"
        try? FileManager.default.createDirectory(atPath: path + "/specs", withIntermediateDirectories: true)
        atexit {
            try? FileManager.default.removeItem(atPath: NSTemporaryDirectory() + "gfe-cli-experiments-\(getpid())")
        }
        return path
    }()

    static var results: String { workspace + "/results" }

    static let environment: [String: String] = {
        var e = ProcessInfo.processInfo.environment
        e["GFE_CODE_VERSION"] = "cli-test"
        return e
    }()

    /// The `gfe` built with these tests (TestPaths.builtGFE).
    static func binary() throws -> String { try TestPaths.builtGFE() }

    struct Output {
        var status: Int32
        var out: String
        var err: String
    }

    /// A started `gfe` process.
    final class Running: Sendable {
        private let child: ChildProcess

        /// Starts `gfe arguments…`, or `executable arguments…` when given (e.g. /bin/bash SCRIPT), from the
        /// repository root with stdin from /dev/null.
        init(
            _ arguments: [String], environment: [String: String] = ExperimentCLI.environment,
            executable: String? = nil
        ) throws {
            child = try ChildProcess.spawn(
                try executable ?? ExperimentCLI.binary(), arguments: arguments, environment: environment,
                directory: ExperimentCLI.repositoryRoot, input: .nullDevice)
        }

        var pid: Int32 { child.pid }

        /// Reads both outputs (concurrently, so a full stderr pipe cannot block the child), then waits.
        func wait() -> Output {
            let result = child.collect()
            return Output(status: result.status, out: result.output, err: result.errors)
        }
    }

    /// Runs `gfe arguments…` (the test build's, or `executable`) to completion.
    static func gfe(
        _ arguments: [String], environment: [String: String] = environment,
        executable: String? = nil
    ) throws -> Output {
        try Running(arguments, environment: environment, executable: executable).wait()
    }

    /// Writes a spec into the workspace and returns its path.
    static func spec(_ name: String, _ text: String) throws -> String {
        try file(name + ".json", text)
    }

    /// Writes a file into the workspace's spec folder and returns its path.
    static func file(_ name: String, _ text: String) throws -> String {
        let path = "\(workspace)/specs/\(name)"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// The run ids of the plan, in order (via `gfe resolve --json`).
    static func runIds(_ spec: String, extra: [String] = []) throws -> [String] {
        let r = try gfe(["resolve", spec, "--json", "--results", results] + extra)
        guard r.status == 0, let json = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any],
            let runs = json["runs"] as? [[String: Any]]
        else {
            throw GFEError.runFailure("gfe resolve failed: \(r.err)")
        }
        return runs.map { $0["runId"] as! String }
    }

    /// A run's run.json as a dictionary (read with Foundation, independently of the harness's reader).
    static func record(_ experiment: String, _ id: String) -> [String: Any]? {
        guard let data = FileManager.default.contents(atPath: "\(results)/\(experiment)/\(id)/run.json") else {
            return nil
        }
        return try? JSONSerialization.jsonObject(with: data) as? [String: Any]
    }

    /// Entries of the experiment folder starting with "." other than .locks (partial or moved-aside runs).
    static func hiddenEntries(_ experiment: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "\(results)/\(experiment)")) ?? [])
            .filter { $0.hasPrefix(".") && $0 != ".locks" }
    }

    /// Waits until `condition` holds, polling every 20 ms, for at most `seconds`.
    static func waitUntil(_ seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(20_000)
        }
        return condition()
    }
}
