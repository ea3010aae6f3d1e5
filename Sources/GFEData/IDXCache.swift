import Foundation

/// Process-wide cache of validated IDX files, so each file is read, decompressed and hashed once per process
/// (47 MB of training images take a noticeable fraction of a second to decode).
///
/// Keyed by path and expectation: the same file asked for with another expected count or checksum is read
/// again and validated against that. Failures are not cached. Loads are serialised by one lock, which also
/// makes concurrent requests for the same file wait for the first load instead of repeating it.
public final class IDXCache: @unchecked Sendable {
    public static let shared = IDXCache()

    private struct Key: Hashable {
        let path: String
        let expectation: IDXExpectation
    }

    private let lock = NSLock()
    private var files: [Key: IDXFile] = [:]

    public init() {}

    /// The validated file at `path` (see `IDXFile.read`), from the cache when it was loaded before.
    public func file(_ path: String, expecting e: IDXExpectation, fix: String = "") throws -> IDXFile {
        lock.lock()
        defer { lock.unlock() }
        let key = Key(path: path, expectation: e)
        if let hit = files[key] { return hit }
        let loaded = try IDXFile.read(path, expecting: e, fix: fix)
        files[key] = loaded
        return loaded
    }

    /// Forgets every cached file (tests; or to free memory).
    public func removeAll() {
        lock.lock()
        defer { lock.unlock() }
        files.removeAll()
    }
}
