import Foundation

/// Finds a dataset's four files.
///
/// For each file it looks in `directories(for:)`, in order, for `<name>` then `<name>.gz`, and takes the first
/// that exists. The standard order (`DataLocator.standard`) is:
/// 1. `$GFE_DATA_DIR/<folder>/`
/// 2. `<repository>/data/<folder>/` (the Makefile links the files there)
/// 3. `<current directory>/../shared/datasets/<folder>/`, then `<repository>/../shared/datasets/<folder>/`
/// 4. fashion_mnist only: `/usr/share/datasets/fashion-mnist/` (Debian's `dataset-fashion-mnist`)
///
/// where `<folder>` is `mnist` or `fashion_mnist` (segmented_mnist reads the MNIST files) and `<repository>`
/// is the nearest folder at or above the current directory holding `Package.swift`. Duplicates are dropped.
///
/// Nothing is substituted silently: an entry that is there but unusable (a folder in a file's place, a
/// dangling or looping symbolic link) is an error naming it, wherever it is; and a dataset folder in a root
/// the user named (`GFE_DATA_DIR`) must hold every file, or the search stops with an error instead of taking
/// the file from a later folder.
public struct DataLocator: Sendable {
    /// Folders holding one subfolder per dataset (`mnist/`, `fashion_mnist/`), searched in order.
    public var roots: [String]
    /// Folders holding a dataset's files directly, searched after `roots`, keyed by `DatasetID.filesFolder`.
    public var directFolders: [String: [String]]
    /// The roots the user named (GFE_DATA_DIR): a dataset folder there is the only place for its files.
    public var namedRoots: [String]

    public init(roots: [String], directFolders: [String: [String]] = [:], namedRoots: [String] = []) {
        self.roots = roots
        self.directFolders = directFolders
        self.namedRoots = namedRoots
    }

    /// The standard search order from the environment (`GFE_DATA_DIR`) and the current directory.
    public static func standard(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        currentDirectory: String = FileManager.default.currentDirectoryPath
    ) -> DataLocator {
        var roots: [String] = []
        var named: [String] = []
        if let dir = environment["GFE_DATA_DIR"], !dir.isEmpty {
            roots.append(dir)
            named.append(dir)
        }
        let repository = repositoryRoot(from: currentDirectory)
        if let repository { roots.append(join(repository, "data")) }
        roots.append(join(currentDirectory, "../shared/datasets"))
        if let repository { roots.append(join(repository, "../shared/datasets")) }
        return DataLocator(
            roots: roots, directFolders: ["fashion_mnist": ["/usr/share/datasets/fashion-mnist"]], namedRoots: named)
    }

    /// The folders searched for `dataset`'s files, in order, without duplicates.
    public func directories(for dataset: DatasetID) -> [String] {
        let folder = dataset.filesFolder
        var seen = Set<String>()
        var out: [String] = []
        for dir in roots.map({ DataLocator.join($0, folder) }) + (directFolders[folder] ?? []) {
            let key = DataLocator.normalised(dir)
            if seen.insert(key).inserted { out.append(key) }
        }
        return out
    }

    /// The path of `file` for `dataset`: plain or `.gz`, in the first folder that has either.
    public func locate(_ file: SourceFile, for dataset: DatasetID) throws -> String {
        let dirs = directories(for: dataset)
        let named = Set(namedRoots.map { DataLocator.normalised(DataLocator.join($0, dataset.filesFolder)) })
        for dir in dirs {
            for name in [file.fileName, file.fileName + ".gz"] {
                let path = DataLocator.join(dir, name)
                if try Self.usableFile(path) { return path }
            }
            if named.contains(dir) && Self.isFolder(dir) {
                throw DataError(
                    .missingFile,
                    "data file \(file.fileName)[.gz] of dataset \(dataset.filesDataset.name) is not in \(dir)/, the "
                        + "folder GFE_DATA_DIR names for it (the other folders are not searched when GFE_DATA_DIR "
                        + "holds the dataset): put the file there, or unset GFE_DATA_DIR")
            }
        }
        throw DataError(
            .missingFile,
            "data file \(file.fileName)[.gz] of dataset \(dataset.filesDataset.name) not found; looked in: "
                + dirs.map { $0 + "/" }.joined(separator: ", ") + ". " + dataset.howToGet)
    }

    /// Whether `path` is a regular file (through symbolic links): false when nothing is there, an error when
    /// something is there that cannot be the file.
    static func usableFile(_ path: String) throws -> Bool {
        var link = stat()
        guard lstat(path, &link) == 0 else { return false }
        var target = stat()
        guard stat(path, &target) == 0 else {
            throw DataError(
                .unreadableFile,
                "\(path) is a symbolic link that leads nowhere (\(String(cString: strerror(errno)))); fix or remove it")
        }
        guard (target.st_mode & S_IFMT) == S_IFREG else {
            throw DataError(.unreadableFile, "\(path) is not a regular file (a folder?); a data file must be a file")
        }
        return true
    }

    static func isFolder(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    /// Paths of all four files.
    public func locateAll(for dataset: DatasetID) throws -> [SourceFile: String] {
        var out: [SourceFile: String] = [:]
        for file in SourceFile.allCases { out[file] = try locate(file, for: dataset) }
        return out
    }

    /// The nearest folder at or above `start` that holds `Package.swift`.
    static func repositoryRoot(from start: String) -> String? {
        var dir = normalised(start)
        while true {
            if FileManager.default.fileExists(atPath: join(dir, "Package.swift")) { return dir }
            let parent = (dir as NSString).deletingLastPathComponent
            if parent == dir || parent.isEmpty { return nil }
            dir = parent
        }
    }

    static func join(_ a: String, _ b: String) -> String {
        a.hasSuffix("/") ? a + b : a + "/" + b
    }

    /// The path with `.` and `..` resolved lexically and no trailing slash (symbolic links are kept, so
    /// messages show the path as the user would write it).
    static func normalised(_ path: String) -> String {
        let absolute = path.hasPrefix("/")
        var parts: [Substring] = []
        for part in path.split(separator: "/") {
            if part == "." || part.isEmpty { continue }
            if part == ".." {
                if let last = parts.last, last != ".." { parts.removeLast() } else if !absolute { parts.append(part) }
                continue
            }
            parts.append(part)
        }
        let body = parts.joined(separator: "/")
        return absolute ? "/" + body : (body.isEmpty ? "." : body)
    }
}
