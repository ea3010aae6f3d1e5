import Foundation
import GFECore
import Testing

@testable import GFEProcess

#if canImport(Glibc)
import Glibc
#endif

@Suite struct ChildProcessTests {
    func shell(_ script: String, directory: String? = nil) throws -> ChildProcess.Result {
        try ChildProcess.run("/bin/sh", arguments: ["-c", script], directory: directory)
    }

    @Test func outputsAndExitCodesAreCaptured() throws {
        let run = try shell("echo out; echo err >&2; exit 3")
        #expect(run.status == 3 && run.output == "out\n" && run.errors == "err\n")
        #expect(try shell("true").status == 0)
    }

    /// Both pipes are read at once: a child that fills stderr before writing stdout must not block.
    @Test func largeOutputsOnBothStreamsDoNotBlock() throws {
        let run = try shell("head -c 1000000 /dev/zero >&2; head -c 1000000 /dev/zero")
        #expect(run.status == 0 && run.output.utf8.count == 1_000_000 && run.errors.utf8.count == 1_000_000)
    }

    @Test func aChildKilledBySignalReports128PlusTheSignal() throws {
        #expect(try shell("kill -9 $$").status == 128 + 9)
    }

    @Test func bareNamesAreLookedUpOnPathAndMissingProgramsThrow() throws {
        #expect(try ChildProcess.run("sh", arguments: ["-c", "echo found"]).output == "found\n")
        #expect(throws: GFEError.self) { try ChildProcess.run("/no/such/program", arguments: []) }
        #expect(throws: GFEError.self) { try ChildProcess.run("no-such-program-on-path", arguments: []) }
    }

    @Test func theWorkingDirectoryIsTheOneAsked() throws {
        #expect(try shell("pwd", directory: "/usr/share").output == "/usr/share\n")
    }

    /// A descriptor this process opened without close-on-exec (as HDF5 opens its files) is not inherited:
    /// the child would otherwise keep the file, and HDF5's lock on it, after this process closed it.
    @Test func descriptorsOfThisProcessAreNotInherited() throws {
        let fd = open("/dev/null", O_RDONLY)  // no O_CLOEXEC
        #expect(fd > 2)
        defer { close(fd) }
        let run = try shell("if [ -e /proc/self/fd/\(fd) ]; then echo inherited; else echo closed; fi")
        #expect(run.output == "closed\n")
    }

    /// The sweep's protocol: lines in on stdin, lines out on stdout, end of stdin ends the child.
    @Test func linesGoInAndComeOut() throws {
        let child = try ChildProcess.spawn(
            "/bin/sh", arguments: ["-c", "while read line; do echo \"got $line\"; done"],
            environment: ProcessInfo.processInfo.environment, errors: .nullDevice)
        #expect(child.send("one") && child.send("two"))
        child.closeInput()
        var lines: [String] = []
        ChildProcess.readLines(child.output) { lines.append($0) }
        #expect(lines == ["got one", "got two"] && child.wait() == 0)
        #expect(!child.send("three"))
    }
}
