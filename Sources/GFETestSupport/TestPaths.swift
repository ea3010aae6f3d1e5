import Foundation

/// Where the tests find the repository and where they make scratch space: one place for every test target.
public enum TestPaths {
    /// The package root: this file is <root>/Sources/GFETestSupport/TestPaths.swift.
    public static let repositoryRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// ../shared beside the repository (datasets, fixtures, references; CI always has it).
    public static let sharedFolder = URL(fileURLWithPath: repositoryRoot).deletingLastPathComponent()
        .appendingPathComponent("shared").standardizedFileURL.path

    /// The `gfe` executable built with these tests: beside the test bundle (`swift test` builds every product
    /// into the same folder), or else the newest `.build*/debug/gfe` of the repository.
    public static func builtGFE() throws -> String {
        var candidates: [String] = []
        if let bundle = Bundle.main.executableURL?.deletingLastPathComponent() {
            candidates += [
                bundle.appendingPathComponent("gfe").path,
                bundle.deletingLastPathComponent().appendingPathComponent("gfe").path
            ]
        }
        let folders = (try? FileManager.default.contentsOfDirectory(atPath: repositoryRoot)) ?? []
        candidates += folders.filter { $0.hasPrefix(".build") }.map { "\(repositoryRoot)/\($0)/debug/gfe" }
            .sorted { modified($0) > modified($1) }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw ToolFailure(message: "the gfe executable was not found (looked at \(candidates)); build it first")
        }
        return found
    }

    static func modified(_ path: String) -> Date {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date) ?? .distantPast
    }

    /// A fresh empty folder under the system's temporary folder, named `prefix`-<unique>.
    public static func temporaryFolder(_ prefix: String = "gfe-tests") throws -> String {
        let path = temporaryPath(prefix)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// A path under the system's temporary folder that nothing uses yet (nothing is created).
    public static func temporaryPath(_ prefix: String = "gfe-tests") -> String {
        NSTemporaryDirectory() + prefix + "-" + UUID().uuidString
    }

    /// Runs `body` with a fresh temporary folder, removed afterwards.
    public static func withTemporaryFolder<R>(_ prefix: String = "gfe-tests", _ body: (String) throws -> R) throws -> R
    {
        let folder = try temporaryFolder(prefix)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        return try body(folder)
    }

    /// `withTemporaryFolder` for an asynchronous body.
    public static func withTemporaryFolder<R>(_ prefix: String = "gfe-tests", _ body: (String) async throws -> R)
        async throws -> R
    {
        let folder = try temporaryFolder(prefix)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        return try await body(folder)
    }
}
