import Foundation
import GFECore
import GFEData
import GFEStore
import GFETraining

#if canImport(Glibc)
import Glibc
#endif

/// Data fingerprints (`Dataset.fingerprint`) for run ids, with a small cache so that planning does not
/// decode and hash 55 MB of images on every command.
///
/// The cache (`<results>/.cache/data-fingerprints.json`) maps a dataset to its fingerprint and the path,
/// size and modification time of each of its four files when the fingerprint was computed; an entry is used
/// only while all four still match. A worker recomputes the fingerprint when it loads the data for training
/// and refuses to run when it differs from the planned one, so a stale cache can never mislabel a run.
public struct DataFingerprints: Sendable {
    public var locator: DataLocator
    /// The cache file; nil disables the cache.
    public var cacheFile: String?
    /// Whether computed fingerprints are written back to the cache.
    public var writable: Bool

    public init(locator: DataLocator = .standard(), cacheFile: String?, writable: Bool) {
        self.locator = locator
        self.cacheFile = cacheFile
        self.writable = writable
    }

    /// The cache file under a results root.
    public static func cacheFile(resultsRoot: String) -> String { resultsRoot + "/.cache/data-fingerprints.json" }

    struct FileStamp: Codable, Equatable {
        var path: String
        var size: Int64
        var modifiedNanoseconds: Int64
    }

    struct Entry: Codable {
        var files: [String: FileStamp]
        var fingerprint: String
    }

    struct Cache: Codable {
        var version = 1
        var entries: [String: Entry] = [:]
    }

    /// The fingerprint of `config`'s data. A user's files are read (once per process) and checked against
    /// the configuration (sizes, value range): bad data stop the plan before anything runs.
    public func fingerprint(_ config: TrainingConfig) throws -> String {
        switch config.data.source {
        case .builtin(let id): return try fingerprint(id)
        case .files(let files):
            let loaded = try FileDatasetCache.shared.dataset(files)
            _ = try TrainingData.cut(loaded, config)
            return loaded.fingerprint
        }
    }

    /// The fingerprint of `id`: cached when the files are unchanged, else computed by loading the dataset.
    public func fingerprint(_ id: DatasetID) throws -> String {
        let paths = try locator.locateAll(for: id)
        var stamps: [String: FileStamp] = [:]
        for (file, path) in paths {
            guard let stamp = Self.stamp(path) else {
                stamps = [:]
                break
            }
            stamps[file.fileName] = stamp
        }
        var cache = readCache()
        if !stamps.isEmpty, let entry = cache.entries[id.name], entry.files == stamps {
            return entry.fingerprint
        }
        let fingerprint = try Dataset.load(id, locator: locator).fingerprint
        if writable, let cacheFile, !stamps.isEmpty {
            cache.entries[id.name] = Entry(files: stamps, fingerprint: fingerprint)
            try? FileManager.default.createDirectory(
                atPath: (cacheFile as NSString).deletingLastPathComponent,
                withIntermediateDirectories: true)
            if let data = try? JSONEncoder().encode(cache) {
                try? AtomicFile.write(Array(data), to: cacheFile)  // a cache: failing to write it is harmless
            }
        }
        return fingerprint
    }

    /// A fingerprint function for `RunIdentityContext`.
    public var provider: @Sendable (TrainingConfig) throws -> String {
        let copy = self
        return { try copy.fingerprint($0) }
    }

    private func readCache() -> Cache {
        guard let cacheFile, let data = FileManager.default.contents(atPath: cacheFile),
            let cache = try? JSONDecoder().decode(Cache.self, from: data), cache.version == 1
        else { return Cache() }
        return cache
    }

    static func stamp(_ path: String) -> FileStamp? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        let real =
            (try? FileManager.default.destinationOfSymbolicLink(atPath: path)).map {
                $0.hasPrefix("/")
                    ? $0 : ((path as NSString).deletingLastPathComponent as NSString).appendingPathComponent($0)
            } ?? path
        return FileStamp(
            path: real, size: Int64(info.st_size),
            modifiedNanoseconds: Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec))
    }
}
