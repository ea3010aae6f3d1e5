import Foundation
import GFECore
import GFEData
import GFEStore
import GFETestSupport
import Testing

@testable import GFETraining

/// Data from a user's files in a training configuration: the spec's fields, what they resolve to, the
/// mistakes decoding refuses, and the checks of the data against the configuration.
@Suite struct DataSettingsTests {
    static func decode(_ json: String) throws -> TrainingConfig { try ConfigTests.decode(json) }

    @Test func fieldsResolveToArraysAndSplits() throws {
        let c = try Self.decode(
            #"{"data": {"file": "d.npz", "samples": "x", "labels": "y", "split": {"testFraction": 0.25}, "#
                + #""validationCount": 4, "scale": 255, "trainLimit": 10}}"#)
        guard case .files(let f) = c.data.source else {
            Issue.record("expected files")
            return
        }
        #expect(f.samples == ArrayReference(path: "d.npz", array: "x"))
        #expect(f.labels == ArrayReference(path: "d.npz", array: "y"))
        #expect(f.split == .testFraction(0.25) && f.validationCount == 4 && f.scale == 255)
        #expect(c.data.source.splits == [.train, .validation, .test])
        #expect(try Self.decode(try c.json()) == c)
        let text = try c.json()
        #expect(!text.contains("\"dataset\"") && text.contains(#""file":"d.npz""#))
        // A test file of its own, with the same array names; labels kept in other files.
        let apart = try Self.decode(
            #"{"data": {"file": "train.h5", "samples": "x", "labels": "y", "testFile": "test.h5"}}"#)
        guard case .files(let g) = apart.data.source else { return }
        #expect(g.testSamples == ArrayReference(path: "test.h5", array: "x"))
        #expect(g.testLabels == ArrayReference(path: "test.h5", array: "y") && g.split == .testArrays)
        let files = try Self.decode(
            #"{"data": {"file": "x.npy", "labelsFile": "y.npy", "testFile": "tx.npy", "testLabelsFile": "ty.npy"}}"#)
        guard case .files(let h) = files.data.source else { return }
        #expect(h.labels == ArrayReference(path: "y.npy") && h.testLabels == ArrayReference(path: "ty.npy"))
        #expect(h.files == ["x.npy", "y.npy", "tx.npy", "ty.npy"])
        let ranges = try Self.decode(#"{"data": {"file": "d.h5", "split": {"train": [0, 80], "test": [80, 100]}}}"#)
        guard case .files(let r) = ranges.data.source else { return }
        #expect(r.split == .ranges(train: 0..<80, test: 80..<100))
        // A built-in dataset is written as before: run ids of every committed spec stay.
        #expect(try Self.decode("{}").json().contains(#""data":{"dataset":"mnist"}"#))
    }

    @Test func mistakesAreNamed() {
        let cases: [(String, String)] = [
            (#"{"data": {"dataset": "mnist", "file": "d.h5", "split": {"testFraction": 0.1}}}"#, "are both set"),
            (#"{"data": {"samples": "x"}}"#, "'data.samples' describes data from a file, but 'data.file' is missing"),
            (#"{"data": {"file": "d.h5"}}"#, "need a test set"),
            (#"{"data": {"file": "d.h5", "testFile": "t.h5", "split": {"testFraction": 0.1}}}"#, "keep one"),
            (#"{"data": {"file": "d.h5", "split": {"testFraction": 1.5}}}"#, "strictly between 0 and 1"),
            (#"{"data": {"file": "d.h5", "split": {"train": [0, 10]}}}"#, "'data.split.test' is missing"),
            (#"{"data": {"file": "d.h5", "split": {"train": [5, 2], "test": [5, 6]}}}"#, "0 ≤ from < to"),
            (#"{"data": {"file": "d.h5", "split": {"tset": [0, 1]}}}"#, #"did you mean "test""#),
            (#"{"data": {"file": "d.h5", "split": {"testFraction": 0.1}, "testLabels": "y"}}"#, "needs test samples"),
            (#"{"data": {"file": "", "split": {"testFraction": 0.1}}}"#, "'data.file' is empty"),
            (#"{"data": {"file": "d.h5", "split": {"testFraction": 0.1}, "scale": 0}}"#, "'data.scale' is 0.0"),
            (
                #"{"data": {"file": "d.h5", "split": {"testFraction": 0.1}, "sha256": {"e.h5": "00"}}}"#,
                "checksum for e.h5, which the data do not read"
            ),
            (
                #"{"data": {"file": "d.h5", "split": {"testFraction": 0.1}, "sha256": {"d.h5": "xyz"}}}"#,
                "64 hexadecimal digits"
            ),
            (
                #"{"data": {"file": "d.h5", "split": {"testFraction": 0.1}}, "validation": {"every": 5}}"#,
                "validationCount"
            )
        ]
        for (json, expected) in cases {
            let message = ConfigTests.failure(json)
            #expect(message.contains(expected), "\(json) → \(message)")
        }
    }

    /// The checks that need the data: values in [0, 1] for the ε-BCE loss; limits and checkpoints within the
    /// data's sizes.
    @Test func dataAreCheckedAgainstTheConfiguration() throws {
        try TestPaths.withTemporaryFolder { dir in
            let path = dir + "/s.h5"
            try HDF5File.write(to: path) { f in
                try f.write((0..<40).map { Float($0) / 10 }, shape: [20, 2], to: "x")
            }
            let base = #"{"data": {"file": "\#(path)", "split": {"testFraction": 0.2}"#
            func outcome(_ json: String) throws -> String {
                let config = try Self.decode(json)
                do {
                    _ = try TrainingData.load(config)
                    return "ok"
                } catch let e as ReportableError {
                    return e.message
                }
            }
            let bce = try outcome(base + #"}, "batchSize": 4}"#)
            #expect(bce.contains("values from 0.0 to 3.9") && bce.contains("needs targets in [0, 1]"))
            #expect(try outcome(base + #"}, "batchSize": 4, "decoder": {"output": "identity"}}"#) == "ok")
            #expect(try outcome(base + #", "scale": 4}, "batchSize": 4}"#) == "ok")
            let limit = try outcome(base + #", "trainLimit": 17}, "decoder": {"output": "identity"}}"#)
            #expect(limit.contains("'data.trainLimit' is 17") && limit.contains("train split has 16 samples"))
            let beyond = try outcome(
                base + #"}, "decoder": {"output": "identity"}, "batchSize": 4, "checkpoints": {"imagesSeen": [20]}}"#)
            #expect(beyond.contains("checkpoint at 20 images seen is beyond the budget"))
            // A trained model decodes the file's sample size.
            let config = try Self.decode(
                base + #"}, "decoder": {"output": "identity"}, "batchSize": 4, "latentDim": 3}"#)
            let data = try TrainingData.load(config)
            #expect(data.sampleSize == 2 && data.evaluation.count == 4)
            let result = try Trainer.run(config, data: data)
            #expect(result.model.decoder.architecture.sizes == [3, 150, 300, 600, 2])
        }
    }
}
