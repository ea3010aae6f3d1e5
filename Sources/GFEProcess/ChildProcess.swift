// The one way this package starts child processes: sweep workers (GFEExperiments), helper commands (git),
// the benchmark's re-runs of itself (GFEBench) and the tools and `gfe` runs of the tests (GFETestSupport,
// GFECLITests).
//
// Why our own helper and not swiftlang/swift-subprocess (1.0.2 in the local mirror): its API is async/await
// only ("built from the ground up with Swift concurrency"), and a process's stdin writer and output streams
// are valid only inside the closure passed to `run`. The sweep scheduler is synchronous and thread-based: it
// keeps many workers alive for the whole sweep, writes task lines to their stdin from its own loop, reads
// their output on plain threads and must never depend on a task executor. swift-subprocess does reset signal
// dispositions and close inherited descriptors in the child as well; what it lacks for us is a synchronous,
// long-lived handle, and it would be one more dependency for ~250 lines of posix_spawn.
import Foundation
import GFECore
import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

/// A child process started with posix_spawn, its stdin, stdout and stderr each connected to a pipe held by
/// this process (or to /dev/null, or inherited). The parent's pipe ends are close-on-exec, so no other child
/// inherits them: when this process dies, the child's stdin reaches end-of-file (sweep workers use that to
/// stop). Signals ignored or blocked here (SIGINT, SIGPIPE while a sweep runs) are reset to their defaults in
/// the child, and its signal mask is empty.
///
/// Exit statuses follow the shell: the exit code, or 128 + the signal that killed the child.
public final class ChildProcess: @unchecked Sendable {
    /// Where one of the child's standard streams goes.
    public enum Stream: Sendable {
        /// A pipe to this process (`input`/`send` for stdin, `output`/`errorOutput` for stdout/stderr).
        case pipe
        /// /dev/null.
        case nullDevice
        /// This process's own stream.
        case inherit
    }

    /// The outcome of `run` or `collect`: the exit status and both outputs (empty when not piped).
    public struct Result: Sendable {
        /// The exit code, or 128 + the signal that killed the child (-1 when it could not be waited for).
        public var status: Int32
        public var output: String
        public var errors: String
    }

    public let pid: pid_t
    /// Write end of the child's stdin (-1 once closed, or when not a pipe).
    private var input: Int32
    /// Read ends of the child's stdout and stderr (-1 when not a pipe). `readLines`/`collect` close them.
    public let output: Int32
    public let errorOutput: Int32
    private let lock = NSLock()

    /// Held from creating the pipes to posix_spawn, so that a child started by another thread cannot inherit
    /// pipe ends not yet marked close-on-exec (Glibc's pipe2 is not imported).
    private static let spawnLock = NSLock()

    private init(pid: pid_t, input: Int32, output: Int32, errorOutput: Int32) {
        self.pid = pid
        self.input = input
        self.output = output
        self.errorOutput = errorOutput
    }

    /// Starts `executable` with `arguments` (argv[1...]) and exactly `environment`.
    ///
    /// - Parameters:
    ///   - executable: a path, or a bare name (no "/") looked up on this process's PATH (posix_spawnp).
    ///   - directory: the child's working directory; nil keeps this process's. A relative `executable` with
    ///     a "/" is then resolved from `directory`.
    ///   - input, output, errors: where stdin, stdout and stderr go (pipes by default, as for sweep workers).
    public static func spawn(
        _ executable: String, arguments: [String], environment: [String: String], directory: String? = nil,
        input: Stream = .pipe, output: Stream = .pipe, errors: Stream = .pipe
    ) throws -> ChildProcess {
        spawnLock.lock()
        defer { spawnLock.unlock() }
        let streams = [input, output, errors]
        var pipes: [[Int32]] = [[-1, -1], [-1, -1], [-1, -1]]
        func closeAll() {
            for fd in pipes.joined() where fd >= 0 { close(fd) }
        }
        for i in 0..<3 where streams[i] == .pipe {
            var fds: [Int32] = [-1, -1]
            guard pipe(&fds) == 0 else {
                let message = String(cString: strerror(errno))
                closeAll()
                throw GFEError.runFailure("cannot create a pipe for the process \(executable): \(message)")
            }
            _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
            _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
            pipes[i] = fds
        }
        // The child's end of each pipe: the read end for stdin, the write end for stdout and stderr.
        let childEnd = [0, 1, 1]

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for fd in 0..<3 {
            switch streams[fd] {
            case .pipe: posix_spawn_file_actions_adddup2(&actions, pipes[fd][childEnd[fd]], Int32(fd))
            case .nullDevice:
                posix_spawn_file_actions_addopen(&actions, Int32(fd), "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0)
            case .inherit: break
            }
        }
        // Close every other descriptor in the child: a descriptor this process opened without close-on-exec
        // (HDF5 opens its files so) would otherwise keep the file, and the lock HDF5 holds on it, alive in
        // the child after this process has closed it.
        if let addCloseFrom = addCloseFromAction {
            _ = addCloseFrom(&actions, 3)
        }
        var program = executable
        var argv = [executable] + arguments
        if let directory {
            if let addChdir = addChdirAction {
                let code = directory.withCString { addChdir(&actions, $0) }
                guard code == 0 else {
                    closeAll()
                    throw GFEError.runFailure(
                        "cannot start \(executable) in \(directory): \(String(cString: strerror(code)))")
                }
            } else {
                // glibc before 2.29: the child changes directory in a shell, which then execs the program.
                program = "/bin/sh"
                argv = ["sh", "-c", #"cd -- "$1" && shift && exec "$@""#, "sh", directory] + argv
            }
        }

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

        let cArguments = argv.map { strdup($0) } + [nil]
        let cEnvironment = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for p in cArguments { free(p) }
            for p in cEnvironment { free(p) }
        }
        var pid: pid_t = 0
        let code =
            program.contains("/")
            ? posix_spawn(&pid, program, &actions, &attributes, cArguments, cEnvironment)
            : posix_spawnp(&pid, program, &actions, &attributes, cArguments, cEnvironment)
        for i in 0..<3 where pipes[i][childEnd[i]] >= 0 {
            close(pipes[i][childEnd[i]])
            pipes[i][childEnd[i]] = -1
        }
        guard code == 0 else {
            closeAll()
            throw GFEError.runFailure("cannot start the process \(executable): \(String(cString: strerror(code)))")
        }
        return ChildProcess(pid: pid, input: pipes[0][1], output: pipes[1][0], errorOutput: pipes[2][0])
    }

    /// Runs `executable` (a path, or a name looked up on PATH) to completion with stdin from /dev/null, reading
    /// its stdout and stderr concurrently (neither pipe can fill up and block it); throws when it cannot be
    /// started.
    public static func run(
        _ executable: String, arguments: [String],
        environment: [String: String] = ProcessInfo.processInfo.environment, directory: String? = nil
    ) throws -> Result {
        try spawn(executable, arguments: arguments, environment: environment, directory: directory, input: .nullDevice)
            .collect()
    }

    /// Reads the child's stdout and stderr (those that are pipes) to end-of-file, stderr on its own thread,
    /// then waits for the child to end. Call once, and not together with `readLines` on the same pipes.
    public func collect() -> Result {
        final class Box: @unchecked Sendable { var bytes: [UInt8] = [] }
        let errors = Box()
        let drained = DispatchSemaphore(value: 0)
        let errorOutput = errorOutput
        if errorOutput >= 0 {
            Thread {
                errors.bytes = Self.readAll(errorOutput)
                drained.signal()
            }.start()
        }
        let out = output >= 0 ? Self.readAll(output) : []
        if errorOutput >= 0 { drained.wait() }
        return Result(
            status: wait(), output: String(decoding: out, as: UTF8.self),
            errors: String(decoding: errors.bytes, as: UTF8.self))
    }

    /// Writes one line to the child's stdin; false when the child is gone (or stdin is not a pipe).
    @discardableResult
    public func send(_ line: String) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard input >= 0 else { return false }
        return (try? FileDescriptor(rawValue: input).writeAll((line + "\n").utf8)) != nil
    }

    /// Closes the child's stdin (a sweep worker then exits once idle).
    public func closeInput() {
        lock.lock()
        defer { lock.unlock() }
        if input >= 0 {
            close(input)
            input = -1
        }
    }

    public func signal(_ s: Int32) { kill(pid, s) }

    /// Waits for the child to end: its exit code, or 128 + the signal that killed it (-1 when waitpid fails).
    public func wait() -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return -1 }
        }
        closeInput()
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    /// Reads `fd` to end-of-file, calling `line` for every complete line (without its "\n"), then closes it.
    public static func readLines(_ fd: Int32, _ line: (String) -> Void) {
        var pending: [UInt8] = []
        readChunks(fd) { chunk in
            pending += chunk
            while let newline = pending.firstIndex(of: 0x0A) {
                line(String(decoding: pending[..<newline], as: UTF8.self))
                pending.removeSubrange(...newline)
            }
        }
        if !pending.isEmpty { line(String(decoding: pending, as: UTF8.self)) }
    }

    /// Reads `fd` to end-of-file and closes it.
    public static func readAll(_ fd: Int32) -> [UInt8] {
        var bytes: [UInt8] = []
        readChunks(fd) { bytes += $0 }
        return bytes
    }

    private static func readChunks(_ fd: Int32, _ chunk: (ArraySlice<UInt8>) -> Void) {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                break
            }
            if n == 0 { break }
            chunk(buffer[0..<n])
        }
        close(fd)
    }

    /// glibc's posix_spawn_file_actions_addchdir_np (2.29+), found at run time: its declaration needs
    /// _GNU_SOURCE, so Glibc does not import it. nil on an older C library.
    private typealias AddChdir =
        @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
    /// glibc's posix_spawn_file_actions_addclosefrom_np (2.34+), found at run time for the same reason. nil on
    /// an older C library: the child then inherits this process's descriptors that lack close-on-exec.
    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    private static let addCloseFromAction: AddCloseFrom? = {
        guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: AddCloseFrom.self)
    }()

    private static let addChdirAction: AddChdir? = {
        guard let symbol = dlsym(nil, "posix_spawn_file_actions_addchdir_np") else { return nil }
        return unsafeBitCast(symbol, to: AddChdir.self)
    }()
}
