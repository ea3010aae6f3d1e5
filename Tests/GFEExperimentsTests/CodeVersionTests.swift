import Foundation
import GFETestSupport
import Testing

@testable import GFEExperiments

/// Provenance of the code: the commit read from the git files, and a dirty flag that results do not raise.
@Suite struct CodeVersionTests {
    /// A throwaway checkout with one commit (nil where git cannot be run).
    static func repository() throws -> String? {
        let dir = NSTemporaryDirectory() + "gfe-code-version-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir + "/results/mine", withIntermediateDirectories: true)
        try "// swift-tools-version:6.0\n".write(toFile: dir + "/Package.swift", atomically: true, encoding: .utf8)
        for arguments in [
            ["init", "-q"], ["add", "Package.swift"],
            ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "one"]
        ] {
            guard let run = runTool("git", ["-C", dir] + arguments), run.status == 0 else { return nil }
        }
        return dir
    }

    @Test func resultsDoNotMakeTheTreeDirtyButCodeDoes() throws {
        guard let dir = try Self.repository() else { return }
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(CodeVersion.isDirty(dir) == false)
        // A user's own experiment: its runs are ignored or not, its table is not; neither is code.
        try "images_seen,ae\n480,0.2\n".write(
            toFile: dir + "/results/mine/table.csv", atomically: true, encoding: .utf8)
        #expect(CodeVersion.isDirty(dir) == false)
        try "// changed\n".write(toFile: dir + "/Package.swift", atomically: true, encoding: .utf8)
        #expect(CodeVersion.isDirty(dir) == true)
        try "x".write(toFile: dir + "/new.swift", atomically: true, encoding: .utf8)
        #expect(CodeVersion.isDirty(dir) == true)
    }

    @Test func headCommitIsReadFromTheGitFiles() throws {
        guard let dir = try Self.repository() else { return }
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let head = try #require(runTool("git", ["-C", dir, "rev-parse", "HEAD"]))
        #expect(CodeVersion.headCommit(of: dir) == head.output.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
