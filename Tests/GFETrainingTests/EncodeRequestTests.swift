import Foundation
import GFECore
import GFESolvers
import GFEStore
import Testing

@testable import GFETraining

/// The library side of `gfe encode` / `gfe evaluate`: option parsing through the settings' strict decoding,
/// and the authors' fixture reproduced through `EvaluationRequest` and the written file.
@Suite struct EncodeRequestTests {
    static func message(_ body: () throws -> Any) -> String {
        do {
            _ = try body()
            return "no error"
        } catch { return "\(error)" }
    }

    @Test func overridesGoThroughSettingsDecoding() throws {
        let s = try EncoderOptions(preset: "paper", overrides: ["tau=5000", "beta = 0.6", "stepControl=sample"])
            .settings(recordSummary: true)
        guard case .amd(let amd) = s else {
            Issue.record("not AMD")
            return
        }
        #expect(amd.preset == .paper && amd.tau == 5000 && amd.beta == 0.6 && amd.maxReductions == 48)
        #expect(amd.stepControl == .sample && amd.record == .summary && amd.initialPoint == .zeros)
        let official = try EncoderOptions(initialPoint: "zeros", overrides: ["record=none"]).settings(
            recordSummary: true)
        #expect(
            official
                == {
                    var a = AMDSettings.official
                    a.initialPoint = .zeros
                    return EncoderSettings.amd(a)
                }())
        let grid = try EncoderOptions(method: "fixedGrid", overrides: ["points=10"]).settings()
        guard case .fixedGrid(let g) = grid else {
            Issue.record("not fixed grid")
            return
        }
        #expect(g.points == 10)

        #expect(Self.message { try EncoderOptions(overrides: ["tua=5"]).settings() }.contains("'tua'"))
        #expect(Self.message { try EncoderOptions(overrides: ["beta=2"]).settings() }.contains("'beta' is 2.0"))
        #expect(Self.message { try EncoderOptions(overrides: ["tau"]).settings() }.contains("key=value"))
        #expect(Self.message { try EncoderOptions(preset: "papr").settings() }.contains("'papr'"))
        #expect(
            Self.message { try EncoderOptions(method: "fixedGrid", preset: "paper").settings() }.contains(
                "AMD encoder only"))
        #expect(
            Self.message { try EncoderOptions(method: "fixedGrid", initialPoint: "zeros").settings() }.contains("z = 0")
        )
        #expect(
            Self.message { try EncoderOptions(method: "amdd").settings() }.contains(
                #"'amdd' is unknown (did you mean "amd"?)"#))
    }

    @Test func locationsParseAtTheLastColon() throws {
        let l = try HDF5Location(parsing: "/tmp/a:b/file.h5:/batch/x", option: "--images")
        #expect(l.file == "/tmp/a:b/file.h5" && l.dataset == "/batch/x")
        #expect(Self.message { try HDF5Location(parsing: "file.h5", option: "--images") }.contains("FILE.h5:/path"))
        #expect(Self.message { try HDF5Location(parsing: "file.h5:", option: "--z0") }.contains("--z0"))
    }

    /// The authors' AMD solve of 16 MNIST test images from z₀ = 0 (official preset), cut after 40 attempts
    /// (`maxAttempts`; the authors' solve rejected none): the first 40 accepted times, and the per-image
    /// losses of their 40th state, through the request, the written file and back. (The whole 337-step
    /// solve is checked end to end through the `gfe` binary in GFECLITests.)
    @Test func fixtureSolveIsReproducedAndWritten() throws {
        let fixture = TestData.fixturePath
        let steps = 40
        let request = EvaluationRequest(
            model: .checkpoint(path: fixture, group: "decoder_init"), kind: .gfe,
            images: .file(HDF5Location(file: fixture, dataset: "/batch/x")),
            encoder: try EncoderOptions(preset: "official", overrides: ["maxAttempts=\(steps)"]).settings(
                recordSummary: true),
            start: .file(HDF5Location(file: fixture, dataset: "/z0/zeros")), batchSize: 16)
        let report = try request.run()
        let out = TestData.temporaryPath("encode.h5")
        defer { try? FileManager.default.removeItem(atPath: out) }
        try report.write(to: out)

        let (times, losses) = try HDF5File.read(fixture) { f in
            (
                try f.readDoubles("amd/init_zeros/t_accepted").values,
                try f.readMatrix("amd/init_zeros/loss_per_sample_trajectory_first100", as: Float.self).row(steps).map(
                    Double.init)
            )
        }
        try HDF5File.read(out) { f in
            #expect(try f.readInt64s("groups/accepted").values == [Int64(steps)])
            #expect(try f.readInt64s("groups/rejected").values == [0])
            #expect(
                try f.readInt64s("groups/result").values == [
                    Int64(EvaluationReport.resultCodes.firstIndex(of: .budgetExhausted)!)
                ])
            #expect(try f.readInt64s("groups/accepted_times_offsets").values == [0, Int64(steps + 1)])
            let written = try f.readDoubles("groups/accepted_times").values
            #expect(written.count == steps + 1)
            for (a, e) in zip(written, times) { #expect(abs(a - e) <= 1e-9 * max(abs(e), 1)) }
            let perImage = try f.readFloats("loss_per_sample").values
            #expect(perImage.count == 16)
            for (a, e) in zip(perImage, losses) { #expect(abs(Double(a) - e) <= 1e-4 * e) }
            #expect(try f.readMatrix("z_star", as: Float.self).rows == 16)
            #expect(try f.readDoubles("gradient_norm").values.count == 16)
            #expect(try f.readDoubles("groups/mean_loss_trajectory").values.count == steps + 1)
            #expect(try f.int64Attribute("accepted") == Int64(steps))
            #expect(try f.doubleAttribute("mean_loss") == report.result.meanLoss)
            // The settings, keys in order: every encoding of one request writes the same text.
            let settings = try f.stringAttribute("encoder")
            let keys = try #require(
                try JSONSerialization.jsonObject(with: Data(settings.utf8)) as? [String: Any]
            ).keys.sorted()
            let positions = keys.map { settings.range(of: "\"\($0)\":")!.lowerBound }
            #expect(positions == positions.sorted(), "\(settings)")
            #expect(keys.contains("maxAttempts") && keys.contains("tau"), "\(settings)")
        }
        #expect(report.summary.contains("accepted          \(steps)"), "\(report.summary)")
    }

    /// `--init-seed`: the model training starts from, evaluated like a checkpoint.
    @Test func initialisedModelsAreThoseTrainingStartsFrom() throws {
        let fixture = TestData.fixturePath
        let settings = try EncoderOptions(overrides: ["maxAttempts=5"]).settings()
        let images = EvaluationRequest.Images.file(HDF5Location(file: fixture, dataset: "/batch/x"))
        let gfe = try EvaluationRequest(
            model: .initialised(seed: 2020, latentDim: 20), images: images, encoder: settings,
            seed: 3, batchSize: 8
        ).run()
        let x = try HDF5File.read(fixture) { try $0.readMatrix("batch/x", as: Float.self) }
        let direct = try Evaluator.encode(
            decoder: TestData.decoder(seed: 2020), images: x, batchSize: 8,
            encoder: settings, start: .rule(seed: 3))
        #expect(gfe.result.sampleLoss == direct.sampleLoss && gfe.result.z.storage == direct.z.storage)
        let ae = try EvaluationRequest(model: .initialised(seed: 2020, latentDim: 20), kind: .ae, images: images).run()
        let reference = AutoencoderObjective<Float>(seed: 2020, maxBatch: 1)
        let aeDirect = try Evaluator.autoencoder(encoder: reference.encoder, decoder: reference.decoder, images: x)
        #expect(ae.result.sampleLoss == aeDirect.sampleLoss)
        #expect(
            ae.summary.hasPrefix("model") && ae.summary.split(separator: "\n")[0].hasSuffix("  ae"), "\(ae.summary)")
        #expect(!ae.summary.contains("attempts") && ae.summary.contains("1.00 forward, 0.00 backward per image"))
    }

    @Test func badInputsAreNamed() throws {
        let fixture = TestData.fixturePath
        func run(_ r: EvaluationRequest) -> String { Self.message { try r.run() } }
        let images = EvaluationRequest.Images.file(HDF5Location(file: fixture, dataset: "/batch/x"))
        #expect(
            run(EvaluationRequest(model: .checkpoint(path: fixture, group: "nope"), images: images)).contains(
                "no group 'nope'"))
        #expect(
            run(EvaluationRequest(model: .checkpoint(path: fixture, group: nil), images: images)).contains(
                "missing decoder.0.weight"))
        #expect(
            run(
                EvaluationRequest(
                    model: .checkpoint(path: fixture, group: "decoder_init"),
                    images: .file(HDF5Location(file: fixture, dataset: "/z0/zeros")))
            )
            .contains("expected [N, 784]"))
        #expect(
            run(
                EvaluationRequest(
                    model: .checkpoint(path: fixture, group: "decoder_init"),
                    images: .file(HDF5Location(file: fixture, dataset: "/batch/nothing")))
            )
            .contains("no dataset '/batch/nothing'"))
        #expect(
            run(
                EvaluationRequest(
                    model: .checkpoint(path: fixture, group: "decoder_init"), images: images,
                    start: .file(HDF5Location(file: fixture, dataset: "/batch/x")))
            )
            .contains("expected [N, 20]"))
        #expect(
            run(EvaluationRequest(model: .checkpoint(path: "/nonexistent.h5", group: nil), images: images)).contains(
                "no such file"))
    }
}
