import Foundation
import GFECore
import GFETraining
import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

/// A child process started with posix_spawn, its stdin, stdout and stderr connected to pipes held by this
/// process. The parent's ends are close-on-exec, so no other child inherits them: when this process dies,
/// the child's stdin reaches end-of-file (workers use that to stop). Signals ignored or blocked here
/// (SIGINT, SIGPIPE while a sweep runs) are reset to their defaults in the child.
public final class ChildProcess: @unchecked Sendable {
    public let pid: pid_t
    /// Write end of the child's stdin (-1 once closed).
    private var input: Int32
    public let output: Int32
    public let errorOutput: Int32
    private let lock = NSLock()

    private init(pid: pid_t, input: Int32, output: Int32, errorOutput: Int32) {
        self.pid = pid
        self.input = input
        self.output = output
        self.errorOutput = errorOutput
    }

    /// Starts `executable` with `arguments` (argv[1...]) and `environment`.
    public static func spawn(_ executable: String, arguments: [String], environment: [String: String]) throws
        -> ChildProcess
    {
        var stdinPipe: [Int32] = [-1, -1]
        var stdoutPipe: [Int32] = [-1, -1]
        var stderrPipe: [Int32] = [-1, -1]
        for i in 0..<3 {
            var fds: [Int32] = [-1, -1]
            // pipe + FD_CLOEXEC (Glibc's pipe2 is not imported); only one thread spawns at a time here.
            guard pipe(&fds) == 0 else {
                throw GFEError.runFailure(
                    "cannot create a pipe for a worker process: \(String(cString: strerror(errno)))")
            }
            _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
            _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
            if i == 0 { stdinPipe = fds } else if i == 1 { stdoutPipe = fds } else { stderrPipe = fds }
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdinPipe[0], 0)
        posix_spawn_file_actions_adddup2(&actions, stdoutPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, stderrPipe[1], 2)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for s in [SIGINT, SIGTERM, SIGPIPE, SIGHUP] { sigaddset(&defaults, s) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for p in argv { free(p) }
            for p in envp { free(p) }
        }
        var pid: pid_t = 0
        let code = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        close(stdinPipe[0])
        close(stdoutPipe[1])
        close(stderrPipe[1])
        guard code == 0 else {
            close(stdinPipe[1])
            close(stdoutPipe[0])
            close(stderrPipe[0])
            throw GFEError.runFailure(
                "cannot start the worker process \(executable): \(String(cString: strerror(code)))")
        }
        return ChildProcess(pid: pid, input: stdinPipe[1], output: stdoutPipe[0], errorOutput: stderrPipe[0])
    }

    /// Writes one line to the child's stdin; false when the child is gone.
    @discardableResult
    public func send(_ line: String) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard input >= 0 else { return false }
        return (try? FileDescriptor(rawValue: input).writeAll((line + "\n").utf8)) != nil
    }

    /// Closes the child's stdin (a worker then exits once idle).
    public func closeInput() {
        lock.lock()
        defer { lock.unlock() }
        if input >= 0 {
            close(input)
            input = -1
        }
    }

    public func signal(_ s: Int32) { kill(pid, s) }

    /// Waits for the child to end: its exit code, or 128 + the signal that killed it.
    public func wait() -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return -1 }
        }
        closeInput()
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    /// Reads `fd` to end-of-file, calling `line` for every complete line (without its "\n").
    public static func readLines(_ fd: Int32, _ line: (String) -> Void) {
        var pending: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                break
            }
            if n == 0 { break }
            pending += buffer[0..<n]
            while let newline = pending.firstIndex(of: 0x0A) {
                line(String(decoding: pending[..<newline], as: UTF8.self))
                pending.removeSubrange(...newline)
            }
        }
        if !pending.isEmpty { line(String(decoding: pending, as: UTF8.self)) }
        close(fd)
    }
}

/// Runs a command to completion and returns its exit code and standard output (stderr discarded); nil when
/// it cannot be started. For short helper commands (git).
public func runCommand(_ arguments: [String]) -> (code: Int32, output: String)? {
    guard
        let child = try? ChildProcess.spawn(
            "/usr/bin/env", arguments: arguments,
            environment: ProcessInfo.processInfo.environment)
    else { return nil }
    child.closeInput()
    let errors = Thread {
        ChildProcess.readLines(child.errorOutput) { _ in }
    }
    errors.start()
    var out: [String] = []
    ChildProcess.readLines(child.output) { out.append($0) }
    let code = child.wait()
    return (code, out.joined(separator: "\n"))
}
