import Foundation
import GFEProcess

#if canImport(Glibc)
import Glibc
#endif

/// The version of the code that computes a run, hashed into run ids.
///
/// `id` is, in order of precedence: the environment variable `GFE_CODE_VERSION` when set (to pin ids
/// across commits on purpose); `git:<commit>` when the `gfe` executable (or the current directory) lies
/// in a git checkout of this package; otherwise `gfe-<tool version>`. Uncommitted changes do not enter
/// the id: `gitDirty` is recorded in every run.json and `gfe run` warns, so results made from a dirty
/// tree are visible as such, but editing a file does not silently orphan every finished run.
public struct CodeVersion: Sendable, Codable, Equatable {
    public var id: String
    /// The checkout's HEAD commit (40 hexadecimal digits), when found.
    public var gitCommit: String?
    /// Whether `git status` reports changes to tracked or unignored files outside `results/`; nil when git
    /// could not be asked.
    public var gitDirty: Bool?
    /// The checkout's folder, when found.
    public var repository: String?
    /// The `gfe` version string.
    public var toolVersion: String

    public init(
        id: String, gitCommit: String? = nil, gitDirty: Bool? = nil, repository: String? = nil, toolVersion: String
    ) {
        self.id = id
        self.gitCommit = gitCommit
        self.gitDirty = gitDirty
        self.repository = repository
        self.toolVersion = toolVersion
    }

    /// Detects the version as described above. `checkDirty` runs `git status` (a few milliseconds).
    public static func detect(
        toolVersion: String, checkDirty: Bool = true,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> CodeVersion {
        let repository = findRepository()
        let commit = repository.flatMap(headCommit(of:))
        let dirty = checkDirty ? repository.flatMap(isDirty(_:)) : nil
        let id: String
        if let pinned = environment["GFE_CODE_VERSION"], !pinned.isEmpty {
            id = pinned
        } else if let commit {
            id = "git:\(commit)"
        } else {
            id = "gfe-\(toolVersion)"
        }
        return CodeVersion(id: id, gitCommit: commit, gitDirty: dirty, repository: repository, toolVersion: toolVersion)
    }

    /// What `gfe --version` prints: the tool version and, in a checkout, its commit (`0.1.0 (git 92cc56b…)`),
    /// so a report can name the code that made it. Read from the git files: no process is started.
    public static func versionLine(toolVersion: String) -> String {
        guard let commit = findRepository().flatMap(headCommit(of:)) else { return toolVersion }
        return "\(toolVersion) (git \(commit))"
    }

    /// The nearest folder holding `Package.swift` and `.git`, above the executable's real path first, then
    /// above the current directory.
    static func findRepository() -> String? {
        var starts: [String] = []
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            starts.append((exe as NSString).deletingLastPathComponent)
        }
        starts.append(FileManager.default.currentDirectoryPath)
        for start in starts {
            var dir = (start as NSString).standardizingPath
            while true {
                let fm = FileManager.default
                if fm.fileExists(atPath: dir + "/Package.swift") && fm.fileExists(atPath: dir + "/.git") { return dir }
                let parent = (dir as NSString).deletingLastPathComponent
                if parent == dir || parent.isEmpty { break }
                dir = parent
            }
        }
        return nil
    }

    /// HEAD's commit, read from the git files (no git executable needed): a detached HEAD, a loose ref or a
    /// packed ref; `.git` may be a folder or a worktree's `gitdir:` file.
    static func headCommit(of repository: String) -> String? {
        guard var gitDir = gitDirectory(of: repository) else { return nil }
        guard let head = read(gitDir + "/HEAD") else { return nil }
        if isCommit(head) { return head }
        guard head.hasPrefix("ref: ") else { return nil }
        let ref = String(head.dropFirst(5))
        if let common = read(gitDir + "/commondir") {
            let loose = read(gitDir + "/" + ref)
            if let loose, isCommit(loose) { return loose }
            gitDir = common.hasPrefix("/") ? common : gitDir + "/" + common
        }
        if let loose = read(gitDir + "/" + ref), isCommit(loose) { return loose }
        guard let packed = read(gitDir + "/packed-refs") else { return nil }
        for line in packed.split(separator: "\n") {
            let parts = line.split(separator: " ")
            if parts.count == 2, parts[1] == ref, isCommit(String(parts[0])) { return String(parts[0]) }
        }
        return nil
    }

    /// Whether `git status --porcelain` lists anything outside `results/`; nil when git is missing or fails.
    /// Results are what runs write, not code: a user's own experiment's tables there (or a refreshed
    /// committed one) must not mark the runs that follow as made from changed code.
    static func isDirty(_ repository: String) -> Bool? {
        let arguments = ["-C", repository, "status", "--porcelain", "--", ".", ":(exclude)results"]
        guard let git = try? ChildProcess.run("git", arguments: arguments), git.status == 0 else { return nil }
        return !git.output.isEmpty
    }

    private static func gitDirectory(of repository: String) -> String? {
        let dotGit = repository + "/.git"
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dotGit, isDirectory: &isDirectory) else { return nil }
        if isDirectory.boolValue { return dotGit }
        guard let text = read(dotGit), text.hasPrefix("gitdir: ") else { return nil }
        let dir = String(text.dropFirst(8))
        return dir.hasPrefix("/") ? dir : repository + "/" + dir
    }

    private static func read(_ path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private static func isCommit(_ s: String) -> Bool {
        (s.count == 40 || s.count == 64) && s.allSatisfy { $0.isHexDigit }
    }
}
