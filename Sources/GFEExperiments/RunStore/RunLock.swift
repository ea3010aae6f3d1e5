import GFECore
import GFETraining

#if canImport(Glibc)
import Glibc
#endif

/// An exclusive advisory lock (flock) on a run's lock file, held by whichever process is computing the run.
///
/// The kernel releases it when the process ends in any way (SIGKILL included), so a held lock always means a
/// live owner, and a run folder left behind by a killed process is recognisably stale: its lock is free.
public final class RunLock: @unchecked Sendable {
    private var fd: Int32
    public let path: String

    private init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
    }

    deinit { release() }

    /// Takes the lock without waiting; nil when another process holds it. Creates the file (and its folder
    /// must exist). Throws for file-system errors.
    public static func tryAcquire(_ path: String) throws -> RunLock? {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw GFEError.runFailure("cannot open the lock file \(path): \(String(cString: strerror(errno)))")
        }
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            if errno == EINTR { continue }
            let code = errno
            close(fd)
            if code == EWOULDBLOCK { return nil }
            throw GFEError.runFailure("cannot lock \(path): \(String(cString: strerror(code)))")
        }
        return RunLock(fd: fd, path: path)
    }

    /// Whether some process holds the lock at `path` right now (false when the file does not exist).
    public static func isHeld(_ path: String) -> Bool {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        if flock(fd, LOCK_SH | LOCK_NB) == 0 {
            flock(fd, LOCK_UN)
            return false
        }
        return errno == EWOULDBLOCK
    }

    /// Releases the lock (also done on deinit and by process exit).
    public func release() {
        guard fd >= 0 else { return }
        flock(fd, LOCK_UN)
        close(fd)
        fd = -1
    }
}
