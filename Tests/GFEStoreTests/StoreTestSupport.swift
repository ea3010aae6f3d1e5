import Foundation
import GFEStore
import GFETestSupport

/// A fresh temporary folder for one test, removed afterwards.
func withTemporaryFolder<R>(_ body: (String) throws -> R) throws -> R {
    let folder = NSTemporaryDirectory() + "gfe-store-tests-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    return try body(folder)
}

/// The names in `folder` (to check that no temporary file was left behind).
func folderContents(_ folder: String) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
}

/// Which external tools the interoperability tests can use (checked once).
enum Tools {
    static let hasH5dump: Bool = runTool("h5dump", ["--version"])?.status == 0
    static let hasH5py: Bool = runTool("python3", ["-c", "import h5py, numpy"])?.status == 0

    /// Runs a Python script with `arguments` as sys.argv[1...]; returns its standard output, throwing with
    /// the script's stderr when it fails.
    static func python(_ script: String, _ arguments: [String]) throws -> String {
        guard let run = runTool("python3", ["-c", script] + arguments) else { throw ToolFailure(message: "python3 did not start") }
        guard run.status == 0 else { throw ToolFailure(message: "python3 failed (\(run.status)): \(run.errors)") }
        return run.output
    }
}

struct ToolFailure: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

/// The authors' fixture (SPEC-side shared folder beside the repository); nil when absent.
enum Fixture {
    static let officialAMDInit: String? = {
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let candidates = [
            packageRoot.deletingLastPathComponent().appendingPathComponent("shared/fixtures/official-amd-init.h5").path,
            "/work/shared/fixtures/official-amd-init.h5",
        ]
        return candidates.first { FileManager.default.fileExists(atPath: $0) }
    }()
}
