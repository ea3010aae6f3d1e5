import Foundation
import GFEProcess

/// The result of running an external program from a test (h5dump, python3, the built gfe).
public struct ToolRun: Sendable {
    public let status: Int32
    public let output: String
    public let errors: String
}

/// Runs `executable` (a name looked up on PATH, or a path) with `arguments` and captures both outputs; nil
/// when it cannot be started (e.g. not installed). Both outputs are read concurrently (ChildProcess.run), so
/// a program that writes much to either cannot block on a full pipe.
public func runTool(_ executable: String, _ arguments: [String]) -> ToolRun? {
    guard let run = try? ChildProcess.run(executable, arguments: arguments) else { return nil }
    return ToolRun(status: run.status, output: run.output, errors: run.errors)
}

/// python3 for independent checks (its standard library: zlib, struct, gzip, xml; h5py and numpy when
/// installed).
public enum Python {
    /// Whether python3 runs at all.
    public static let available: Bool = (try? run("print(1)")) == "1\n"
    /// Whether python3 has h5py and numpy (the HDF5 interoperability checks need both).
    public static let hasH5py: Bool = runTool("python3", ["-c", "import h5py, numpy"])?.status == 0

    /// `python3 -c script arguments…`: its standard output, or an error carrying its standard error.
    public static func run(_ script: String, _ arguments: [String] = []) throws -> String {
        guard let run = runTool("python3", ["-c", script] + arguments) else {
            throw ToolFailure(message: "python3 could not be started")
        }
        guard run.status == 0 else { throw ToolFailure(message: "python3 failed (exit \(run.status)): \(run.errors)") }
        return run.output
    }
}

/// An external tool a test needs could not be found, started or did not succeed.
public struct ToolFailure: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
