import GFECore
import GFEData
import GFESolvers

/// Which data a run uses, and optional limits (the first N samples of the train pool in its order, and of
/// the evaluation split in file order).
///
/// A built-in dataset of SPEC §1: `{"dataset": "mnist", "trainLimit": 300, "testLimit": 1000}`.
///
/// A user's files (docs/your-own-data.md): `{"file": "spectra.npz", "samples": "x", "labels": "y",
/// "split": {"testFraction": 0.2}, "scale": 1, "sha256": {"spectra.npz": "…"}}`, with the test set
/// from `testFile`/`testSamples`/`testLabels` (+ `labelsFile`, `testLabelsFile` for labels kept apart), or
/// cut by `split` (`{"train": [0, 800], "test": [800, 1000]}` index ranges, or `{"testFraction": f}` drawn
/// from the run seed); `validationCount` samples off the end of the train pool form a validation set.
public struct DataSettings: Sendable, Equatable, SettingsFields {
    public var dataset: DatasetID = .mnist
    public var trainLimit: Int?
    public var testLimit: Int?
    /// The user's files, when the data come from files (then `dataset` is unused and not written).
    public var files: FileSettings?

    /// The fields of data from files, as the spec writes them.
    public struct FileSettings: Sendable, Equatable {
        public var file = ""
        public var samples: String?
        public var labels: String?
        public var labelsFile: String?
        public var testFile: String?
        public var testSamples: String?
        public var testLabels: String?
        public var testLabelsFile: String?
        public var split: FileSplitSettings?
        public var validationCount = 0
        public var scale = 1.0
        public var sha256: [String: String] = [:]
    }

    public init(dataset: DatasetID = .mnist, trainLimit: Int? = nil, testLimit: Int? = nil) {
        self.dataset = dataset
        self.trainLimit = trainLimit
        self.testLimit = testLimit
    }

    /// Data from the user's files.
    public init(files: FileSettings, trainLimit: Int? = nil, testLimit: Int? = nil) {
        self.files = files
        self.trainLimit = trainLimit
        self.testLimit = testLimit
    }

    public static var settingsName: String { TrainingConfig.messageSubject }

    public static var fields: [SettingsField<DataSettings>] {
        let fromFiles: (DataSettings) -> Bool = { $0.files != nil }
        func file<V: SettingsValue>(
            _ name: String, _ path: WritableKeyPath<FileSettings, V?>, _ rule: SettingsRule<V>? = nil
        ) -> SettingsField<DataSettings> {
            SettingsField(
                name, applies: fromFiles,
                read: { r, root in if let v = try V.read(r, name) { root.files![keyPath: path] = v } },
                write: { root, w in try w.putIfPresent(name, root.files![keyPath: path]) },
                violation: { root in
                    guard let v = root.files![keyPath: path] else { return nil }
                    return rule?.violation(v).map { ("\(v)", $0) }
                })
        }
        let name = SettingsRule<String>("a non-empty string") { !$0.isEmpty }
        return [
            .value("dataset", \.dataset, applies: { $0.files == nil }),
            file("file", \.optionalFile, name), file("samples", \.samples, name), file("labels", \.labels, name),
            file("labelsFile", \.labelsFile, name), file("testFile", \.testFile, name),
            file("testSamples", \.testSamples, name), file("testLabels", \.testLabels, name),
            file("testLabelsFile", \.testLabelsFile, name),
            SettingsField(
                "split", applies: fromFiles,
                read: { r, root in if let v = try r.nested("split", FileSplitSettings.self) { root.files!.split = v } },
                write: { root, w in try w.putIfPresent("split", root.files!.split) }),
            file("validationCount", \.optionalValidationCount, .within(0...1_000_000_000)),
            file("scale", \.optionalScale, .positive),
            SettingsField(
                "sha256", applies: fromFiles,
                read: { r, root in
                    if let v = try r.value("sha256", [String: String].self, expected: "an object of file → SHA-256") {
                        root.files!.sha256 = v
                    }
                },
                write: { root, w in if !root.files!.sha256.isEmpty { try w.put("sha256", root.files!.sha256) } }),
            .optional("trainLimit", \.trainLimit, .atLeast(1)), .optional("testLimit", \.testLimit, .atLeast(1))
        ]
    }

    public init(defaultsFor r: SettingsReader) throws {
        self.init()
        let fileFields = Self.fields.map(\.name).filter { !["dataset", "file", "trainLimit", "testLimit"].contains($0) }
        if r.has("file") {
            guard !r.has("dataset") else {
                throw r.problem(
                    "'\(r.qualified("dataset"))' and '\(r.qualified("file"))' are both set; data come from a built-in "
                        + "dataset or from a file, not both")
            }
            files = FileSettings()
        } else if let stray = fileFields.first(where: r.has) {
            throw r.problem(
                "'\(r.qualified(stray))' describes data from a file, but '\(r.qualified("file"))' is missing; name "
                    + "the samples file (docs/your-own-data.md)")
        }
    }

    public func checkDecoded(_ r: SettingsReader) throws {
        guard let files else { return }
        func bad(_ text: String) -> GFEError { r.problem(text) }
        guard !files.file.isEmpty else { throw bad("'\(r.qualified("file"))' is empty; it must name the samples file") }
        let testArrays = files.testFile != nil || files.testSamples != nil
        switch (files.split, testArrays) {
        case (nil, false):
            throw bad(
                "data from a file need a test set: name it with '\(r.qualified("testFile"))' or "
                    + "'\(r.qualified("testSamples"))', or cut it with '\(r.qualified("split"))' "
                    + "({\"testFraction\": 0.2} or {\"train\": [0, 800], \"test\": [800, 1000]})")
        case (.some, true):
            throw bad(
                "'\(r.qualified("split"))' cuts the test set from the samples, and "
                    + "'\(r.qualified(files.testFile != nil ? "testFile" : "testSamples"))' names test samples too; "
                    + "keep one")
        default: break
        }
        if !testArrays, let stray = ["testLabels", "testLabelsFile"].first(where: r.has) {
            throw bad("'\(r.qualified(stray))' needs test samples from 'testFile' or 'testSamples'")
        }
        let named = Set(source.fileSource!.files)
        for (path, hash) in files.sha256.sorted(by: { $0.key < $1.key }) {
            guard named.contains(path) else {
                throw bad(
                    "'\(r.qualified("sha256"))' has a checksum for \(path), which the data do not read; the files "
                        + "are \(named.sorted().joined(separator: ", "))")
            }
            guard hash.count == 64, hash.allSatisfy(\.isHexDigit) else {
                throw bad("'\(r.qualified("sha256"))' for \(path) is '\(hash)'; a SHA-256 is 64 hexadecimal digits")
            }
        }
    }

    /// Where the data come from.
    public var source: DataSource {
        guard let files else { return .builtin(dataset) }
        let samples = ArrayReference(path: files.file, array: files.samples)
        let labels = (files.labels ?? files.labelsFile).map { _ in
            ArrayReference(path: files.labelsFile ?? files.file, array: files.labels)
        }
        let testPath = files.testFile ?? files.file
        let hasTest = files.testFile != nil || files.testSamples != nil
        let testSamples = hasTest ? ArrayReference(path: testPath, array: files.testSamples ?? files.samples) : nil
        // Test labels: named, or the training labels' array name in a separate test file.
        let testLabelsName = files.testLabels ?? (files.testFile != nil ? files.labels : nil)
        let testLabels =
            hasTest && (testLabelsName != nil || files.testLabelsFile != nil)
            ? ArrayReference(path: files.testLabelsFile ?? testPath, array: testLabelsName) : nil
        let split: FileDataSource.Split
        switch files.split {
        case .some(.fraction(let f)): split = .testFraction(f)
        case .some(.ranges(let train, let test)): split = .ranges(train: train, test: test)
        case nil: split = .testArrays
        }
        return .files(
            FileDataSource(
                samples: samples, labels: labels, testSamples: testSamples, testLabels: testLabels, split: split,
                validationCount: files.validationCount, scale: files.scale, sha256: files.sha256))
    }
}

extension DataSource {
    /// The file source (nil for a built-in dataset).
    public var fileSource: FileDataSource? {
        if case .files(let f) = self { return f }
        return nil
    }
}

extension DataSettings.FileSettings {
    // Optional views of fields with defaults, for the shared field helper.
    var optionalFile: String? {
        get { file.isEmpty ? nil : file }
        set { file = newValue ?? "" }
    }
    var optionalValidationCount: Int? {
        get { validationCount == 0 ? nil : validationCount }
        set { validationCount = newValue ?? 0 }
    }
    var optionalScale: Double? {
        get { scale == 1 ? nil : scale }
        set { scale = newValue ?? 1 }
    }
}

/// How a user's samples divide into train and test: `{"testFraction": 0.2}` or
/// `{"train": [0, 800], "test": [800, 1000]}` (half-open index ranges).
public enum FileSplitSettings: Sendable, Equatable, Codable {
    case fraction(Double)
    case ranges(train: Range<Int>, test: Range<Int>)

    public init(from decoder: Decoder) throws {
        let r = try SettingsReader(trainingConfig: decoder, allowed: ["testFraction", "train", "test"])
        if let f = try r.double("testFraction") {
            guard !r.has("train") && !r.has("test") else {
                throw r.problem("'\(r.qualified("testFraction"))' and index ranges are both set; keep one")
            }
            guard f > 0 && f < 1 else { throw r.outOfRange("testFraction", f, "strictly between 0 and 1") }
            self = .fraction(f)
            return
        }
        func range(_ key: String) throws -> Range<Int> {
            guard let pair = try r.intArray(key) else {
                throw r.problem(
                    "'\(r.qualified(key))' is missing; give {\"testFraction\": f} or both {\"train\": [from, to], "
                        + "\"test\": [from, to]}")
            }
            guard pair.count == 2, pair[0] >= 0, pair[0] < pair[1] else {
                throw r.outOfRange(key, pair, "[from, to] with 0 ≤ from < to (to is excluded)")
            }
            return pair[0]..<pair[1]
        }
        self = .ranges(train: try range("train"), test: try range("test"))
    }

    public func encode(to encoder: Encoder) throws {
        var w = SettingsWriter(encoder)
        switch self {
        case .fraction(let f): try w.put("testFraction", f)
        case .ranges(let train, let test):
            try w.put("train", [train.lowerBound, train.upperBound])
            try w.put("test", [test.lowerBound, test.upperBound])
        }
    }
}

extension DatasetID: SettingsChoice {}

extension String: SettingsValue {
    public static func read(_ r: SettingsReader, _ key: String) throws -> String? { try r.string(key) }
}
