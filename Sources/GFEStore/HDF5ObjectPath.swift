/// Object paths inside an HDF5 file: "a/b/c" is relative to a group, "/a/b" is from the file's root.
/// Empty components and "." are dropped, so "a//b/./c" and "a/b/c" name the same object.
enum HDF5ObjectPath {
    /// The components of `path`, without empty ones and ".".
    static func components(_ path: String) -> [String] {
        path.split(separator: "/", omittingEmptySubsequences: true).map(String.init).filter { $0 != "." }
    }

    /// The absolute path of `path` seen from the group at absolute path `base`.
    static func absolute(_ path: String, from base: String) -> String {
        let parts = path.hasPrefix("/") ? components(path) : components(base) + components(path)
        return "/" + parts.joined(separator: "/")
    }

    /// The name HDF5 is given for `path` relative to a group: "." for the group itself.
    static func relativeName(_ path: String) -> String {
        let parts = components(path)
        if path.hasPrefix("/") { return "/" + parts.joined(separator: "/") }
        return parts.isEmpty ? "." : parts.joined(separator: "/")
    }

    /// The names of `path` and of every group above it, outermost first: "a/b/c" → ["a", "a/b", "a/b/c"]
    /// (with a leading "/" when `path` is absolute). Empty for the group itself.
    static func prefixes(_ path: String) -> [String] {
        let parts = components(path)
        let lead = path.hasPrefix("/") ? "/" : ""
        return parts.indices.map { lead + parts[...$0].joined(separator: "/") }
    }
}
