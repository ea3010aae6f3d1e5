import CHDF5

#if canImport(Glibc)
import Glibc
#endif

/// A recursive mutex. Recursive because an HDF5 handle may be released (its `deinit` closing the id, which
/// takes the lock again) while the thread that released it already holds the lock.
final class RecursiveLock: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    init() {
        mutex = .allocate(capacity: 1)
        var attributes = pthread_mutexattr_t()
        pthread_mutexattr_init(&attributes)
        pthread_mutexattr_settype(&attributes, Int32(PTHREAD_MUTEX_RECURSIVE))
        pthread_mutex_init(mutex, &attributes)
        pthread_mutexattr_destroy(&attributes)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    func withLock<R>(_ body: () throws -> R) rethrows -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }
}

/// The HDF5 library this program is linked with, for provenance records.
public enum HDF5Version {
    /// The library's version, e.g. "1.10.8", or "unknown".
    public static var current: String {
        var major: UInt32 = 0
        var minor: UInt32 = 0
        var release: UInt32 = 0
        guard (HDF5Library.locked { H5get_libversion(&major, &minor, &release) }) >= 0 else { return "unknown" }
        return "\(major).\(minor).\(release)"
    }
}

/// The serial HDF5 library is not thread-safe: every call into it goes through this one lock.
/// Initialising it also silences HDF5's automatic error-stack printing (once, before the first call).
enum HDF5Library {
    private static let lock: RecursiveLock = {
        gfe_H5_silence_errors()
        return RecursiveLock()
    }()

    /// Runs `body` holding the global HDF5 lock. Every HDF5 call of this module is made inside one.
    static func locked<R>(_ body: () throws -> R) rethrows -> R {
        try lock.withLock(body)
    }

    /// The most specific message on HDF5's error stack (e.g. "file signature not found"), then clears it.
    /// Call with the lock held, right after the failing call.
    static func takeErrorDescription() -> String {
        var buffer = [CChar](repeating: 0, count: 257)
        gfe_H5E_innermost_description(&buffer)
        return reducedDescription(
            String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }

    /// HDF5's low-level I/O errors carry a dump of the call ("file write failed: time = …, filename = …,
    /// errno = 28, error message = 'No space left on device', buf = …"): reduced to what failed and the system's
    /// reason ("file write failed: No space left on device"), on one line.
    static func reducedDescription(_ description: String) -> String {
        let oneLine = description.split(whereSeparator: \.isNewline).joined(separator: " ")
        guard let start = oneLine.range(of: "error message = '"),
            let end = oneLine[start.upperBound...].firstIndex(of: "'")
        else { return oneLine }
        let what = oneLine.prefix { $0 != ":" }
        return "\(what): \(oneLine[start.upperBound..<end])"
    }
}
