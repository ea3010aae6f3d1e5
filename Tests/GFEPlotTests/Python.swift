import Foundation
import GFETestSupport

/// python3 for independent checks (its `zlib`, `struct` and `xml` modules are in the standard library).
enum Python {
    static let available: Bool = (try? run("print(1)")) == "1\n"

    /// Runs `python3 -c script args…` and returns its standard output; throws with its error output on failure.
    static func run(_ script: String, _ arguments: [String] = []) throws -> String {
        try runPython(script, arguments)
    }
}

/// A fresh temporary directory for one test.
func temporaryDirectory() throws -> String {
    let path = NSTemporaryDirectory() + "gfeplot-tests-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}
