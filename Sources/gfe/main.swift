#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import GFECore

/// `gfe`: the command line. Parsing, printing and exit codes only; the work is in the library targets.
struct GFE: ParsableCommand {
    static let version = "0.1.0"
    static let configuration = CommandConfiguration(
        commandName: "gfe",
        abstract: "Gradient flow encoding (GFE): reproduce, vary and extend the paper's experiments.",
        version: version,
        subcommands: [DataCommand.self, InspectCommand.self])
}

/// Runs a command body, turning a `ReportableError` into one line on stderr and its exit code.
func reporting(_ body: () throws -> Void) throws {
    do { try body() } catch let e as ReportableError {
        var err = StandardError()
        print("gfe: error: \(e.message)", to: &err)
        throw ExitCode(e.exitCode)
    }
}

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        var bytes = Array(string.utf8)
        _ = bytes.withUnsafeMutableBytes { Glibc.write(2, $0.baseAddress, $0.count) }
    }
}

GFE.main()
