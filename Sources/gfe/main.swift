import ArgumentParser
import GFECore
import GFEExperiments

#if canImport(Glibc)
import Glibc
#endif

/// `gfe`: the command line. Parsing, printing and exit codes only; the work is in the library targets.
struct GFE: ParsableCommand {
    static let version = "0.1.0"
    static let configuration = CommandConfiguration(
        commandName: "gfe",
        abstract: "Gradient flow encoding (GFE): reproduce, vary and extend the paper's experiments.",
        version: CodeVersion.versionLine(toolVersion: version),
        subcommands: [
            DataCommand.self, InspectCommand.self, EncodeCommand.self, EvaluateCommand.self,
            ResolveCommand.self, RunCommand.self, StatusCommand.self, CancelCommand.self, PlanCommand.self,
            TableCommand.self, RunsCommand.self, ReplayCommand.self, ExportCommand.self,
            DiffCommand.self, PlotCommand.self, ReportCommand.self
        ])
}

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        var bytes = Array(string.utf8)
        _ = bytes.withUnsafeMutableBytes { Glibc.write(2, $0.baseAddress, $0.count) }
    }
}

/// `--jobs -1` as `--jobs=-1`: ArgumentParser takes a value that starts with "-" for an option and reports
/// "Missing value"; joined, the option's own check names the bad number. (No gfe argument is a negative number
/// in its own right, so only an option followed by one is joined.)
func joiningNegativeValues(_ arguments: [String]) -> [String] {
    var out: [String] = []
    for argument in arguments {
        if let last = out.last, last.hasPrefix("--"), !last.contains("="),
            argument.count > 1, argument.hasPrefix("-"), Double(argument) != nil
        {
            out[out.count - 1] = last + "=" + argument
        } else {
            out.append(argument)
        }
    }
    return out
}

// Exit codes (DESIGN.md): 2 bad input (arguments, specs, data, files), 1 run failure, 0 otherwise.
// ArgumentParser's own usage errors (exit 64 by default) are bad input too, so they exit 2.
do {
    // An unknown or unavailable GFE_KERNEL is bad input, refused before anything runs.
    _ = try RowGemm.configuredPath()
    var command = try GFE.parseAsRoot(joiningNegativeValues(Array(CommandLine.arguments.dropFirst())))
    try command.run()
} catch let error as ReportableError {
    var err = StandardError()
    print("gfe: error: \(error.message)", to: &err)
    exit(error.exitCode)
} catch {
    let code = GFE.exitCode(for: error)
    if code == .validationFailure {
        var err = StandardError()
        print(GFE.fullMessage(for: error), to: &err)
        exit(2)
    }
    GFE.exit(withError: error)
}
