import GFECore

/// The check behind `gfe data verify`: for each dataset, every file located, read and validated (magic,
/// dimensions, counts, length, SHA-256), then every split built and counted.
public enum DataVerification {
    /// The outcome for one file.
    public struct FileResult: Sendable {
        public let file: SourceFile
        /// Where it was found (nil when missing).
        public let path: String?
        /// SHA-256 of the uncompressed contents (nil unless it validated).
        public let sha256: String?
        /// Why it is missing or bad (nil when it validated).
        public let error: DataError?
    }

    /// One split's size and images per label 0…9.
    public struct SplitSummary: Sendable {
        public let name: SplitName
        public let count: Int
        public let labelCounts: [Int]
    }

    /// The outcome for one dataset.
    public struct Report: Sendable {
        public let id: DatasetID
        public let seed: UInt64
        public let files: [FileResult]
        /// Empty unless every file validated.
        public let splits: [SplitSummary]
        /// `Dataset.fingerprint`, when every file validated.
        public let fingerprint: String?
        /// The folders searched, in order (see `DataLocator`).
        public let searched: [String]
        public var ok: Bool { files.allSatisfy { $0.error == nil } }
        public var missing: Bool { files.contains { $0.error?.kind == .missingFile } }
    }

    /// Verifies each of `ids` (splits drawn with `seed`). Never throws: failures are in the reports.
    public static func verify(
        _ ids: [DatasetID], seed: UInt64, locator: DataLocator = .standard(),
        cache: IDXCache = .shared
    ) -> [Report] {
        ids.map { verify($0, seed: seed, locator: locator, cache: cache) }
    }

    static func verify(_ id: DatasetID, seed: UInt64, locator: DataLocator, cache: IDXCache) -> Report {
        var results: [FileResult] = []
        var loaded: [SourceFile: IDXFile] = [:]
        // Labels first: they are small, so a bad labels file is reported quickly.
        for file in [SourceFile.trainLabels, .testLabels, .trainImages, .testImages] {
            var path: String?
            do {
                path = try locator.locate(file, for: id)
                let idx = try cache.file(path!, expecting: id.expectation(file), fix: id.howToGet)
                loaded[file] = idx
                results.append(FileResult(file: file, path: path, sha256: idx.sha256, error: nil))
            } catch let e as DataError {
                results.append(FileResult(file: file, path: path, sha256: nil, error: e))
            } catch {
                results.append(
                    FileResult(
                        file: file, path: path, sha256: nil,
                        error: DataError(.unreadableFile, "\(error)")))
            }
        }
        results.sort { a, b in
            SourceFile.allCases.firstIndex(of: a.file)! < SourceFile.allCases.firstIndex(of: b.file)!
        }
        guard loaded.count == 4 else {
            return Report(
                id: id, seed: seed, files: results, splits: [], fingerprint: nil,
                searched: locator.directories(for: id))
        }
        let dataset = Dataset(
            id: id, trainImages: loaded[.trainImages]!, trainLabels: loaded[.trainLabels]!,
            testImages: loaded[.testImages]!, testLabels: loaded[.testLabels]!)
        var splits: [SplitSummary] = []
        for name in id.splits {
            // Cannot fail: every split in `id.splits` exists and no limit is given.
            if let split = try? dataset.split(name, seed: seed) {
                splits.append(SplitSummary(name: name, count: split.count, labelCounts: split.labelCounts))
            }
        }
        return Report(
            id: id, seed: seed, files: results, splits: splits, fingerprint: dataset.fingerprint,
            searched: locator.directories(for: id))
    }

    /// A human-readable report: per file its path and checksum status, then split sizes and label counts.
    public static func render(_ report: Report) -> String {
        var lines: [String] = []
        let status = report.ok ? "OK" : (report.missing ? "MISSING FILES" : "BAD FILES")
        lines.append("\(report.id.name): \(status)")
        for f in report.files {
            let name = pad(f.file.fileName, 24)
            if let e = f.error {
                if e.kind == .missingFile {
                    lines.append("  \(name) missing")  // where we looked and how to fix: once, below
                } else {
                    lines.append("  \(name) \(f.path ?? "?")")
                    lines.append("      \(e.message)")
                }
            } else {
                lines.append("  \(name) \(f.path ?? "?")")
                lines.append("      sha256 \(f.sha256 ?? "?") OK (uncompressed)")
            }
        }
        if report.missing {
            lines.append("  looked in: " + report.searched.map { $0 + "/" }.joined(separator: ", "))
            lines.append("  " + report.id.howToGet)
        }
        if !report.splits.isEmpty {
            let splitNote = report.id == .segmentedMNIST ? "label-selected, seed unused" : "split seed \(report.seed)"
            lines.append("  splits (\(splitNote)):")
            lines.append(
                "    " + pad("split", 11) + lpad("images", 7) + "   "
                    + (0..<10).map { lpad("\($0)", 5) }.joined())
            for s in report.splits {
                lines.append(
                    "    " + pad(s.name.rawValue, 11) + lpad(grouped(s.count), 7) + "   "
                        + s.labelCounts.map { lpad("\($0)", 5) }.joined())
            }
        }
        if let fp = report.fingerprint { lines.append("  fingerprint \(fp)") }
        return lines.joined(separator: "\n")
    }

    private static func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : s + String(repeating: " ", count: width - s.count)
    }

    private static func lpad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : String(repeating: " ", count: width - s.count) + s
    }
}
