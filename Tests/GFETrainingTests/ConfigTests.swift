import Foundation
import GFECore
import GFESolvers
import Testing

@testable import GFETraining

/// Strict decoding of `TrainingConfig`: SPEC defaults, round trips, and an error naming the field for every
/// kind of bad input.
@Suite struct ConfigTests {
    static func decode(_ json: String) throws -> TrainingConfig {
        try TrainingConfig.decode(json: Data(json.utf8))
    }

    /// The message of the bad-input error `json` must raise.
    static func failure(_ json: String) -> String {
        do {
            _ = try decode(json)
            return "no error"
        } catch let e as ReportableError {
            return e.exitCode == 2 ? e.message : "exit code \(e.exitCode): \(e.message)"
        } catch {
            return "not a ReportableError: \(error)"
        }
    }

    /// A declared decoder reads, writes back and builds the networks it says; the paper's is not written, so
    /// configurations that keep it keep their run ids.
    @Test func declaredDecoder() throws {
        let c = try Self.decode(
            #"{"method": "ae", "latentDim": 2, "decoder": {"hidden": [8, 16], "activation": "tanh", "output": "identity"}}"#
        )
        #expect(c.decoder.hidden == [8, 16] && c.decoder.activation == .tanh && c.decoder.loss == .meanSquaredError)
        #expect(
            c.decoderArchitecture(sampleSize: 784)
                == Architecture(name: "decoder", sizes: [2, 8, 16, 784], activation: .tanh))
        #expect(
            c.encoderArchitecture(sampleSize: 784)
                == Architecture(name: "encoder", sizes: [784, 16, 8, 2], activation: .tanh))
        #expect(try Self.decode(try c.json()) == c)
        #expect(try c.json().contains(#""decoder":{"activation":"tanh","hidden":[8,16],"output":"identity"}"#))
        let own = try Self.decode(#"{"decoder": {"hidden": [64], "encoderHidden": [100, 50]}}"#)
        #expect(
            own.encoderArchitecture(sampleSize: 784).sizes == [784, 100, 50, 20]
                && own.decoderArchitecture(sampleSize: 784).sizes == [20, 64, 784])
        // The paper's decoder, written out or left out, is one configuration with one text.
        let paper = try Self.decode(
            #"{"decoder": {"hidden": [150, 300, 600], "activation": "elu", "output": "logits"}}"#)
        let defaults = try Self.decode("{}")
        let paperText = try paper.json()
        #expect(paper == defaults && !paperText.contains("decoder"))
        #expect(
            paper.decoderArchitecture(sampleSize: 784) == .decoder()
                && paper.encoderArchitecture(sampleSize: 784) == .encoder())
        #expect(
            Self.failure(#"{"decoder": {"activation": "tahn"}}"#).contains(
                "'decoder.activation' is 'tahn' (did you mean \"tanh\"?)"))
        #expect(Self.failure(#"{"decoder": {"output": "sigmoid"}}"#).contains("expected one of 'logits', 'identity'"))
        #expect(
            Self.failure(#"{"decoder": {"hidden": [150, 0]}}"#).contains(
                "'decoder.hidden' is [150, 0]; it must be at most 16 widths, each from 1 to 10,000"))
        #expect(Self.failure(#"{"decoder": {"widths": [1]}}"#).contains("unknown field 'decoder.widths'"))
    }

    /// A seed written with an exponent is taken when it is an integer exactly; otherwise refused.
    @Test func seedWithExponent() throws {
        #expect(try Self.decode(#"{"seed": 1e18}"#).seed == 1_000_000_000_000_000_000)
        #expect(Self.failure(#"{"seed": 1.5}"#).contains("must be a non-negative integer below 2^64"))
        #expect(Self.failure(#"{"seed": 1e20}"#).contains("must be a non-negative integer below 2^64"))
    }

    @Test func emptyObjectGivesSpecDefaults() throws {
        let c = try Self.decode("{}")
        #expect(c.method == .gfe)
        #expect(c.latentDim == 20)
        #expect(c.batchSize == 16)
        #expect(c.budget == .epochs(1))
        #expect(c.optimiser.method == .rmsprop)
        #expect(c.optimiser.learningRate == 5e-4 && c.optimiser.alpha == 0.9 && c.optimiser.eps == 1e-6)
        #expect(c.encoder == .amd(.official))
        #expect(c.gradient.mode == .approximate)
        #expect(c.seed == 2020)
        #expect(c.data.dataset == .mnist && c.data.trainLimit == nil && c.data.testLimit == nil)
        #expect(c.validation == nil)
        #expect(c.checkpoints.evaluations(for: c.method) == [.gfe])
    }

    @Test func autoencoderDefaults() throws {
        let c = try Self.decode(#"{"method": "ae", "optimiser": {"method": "adam"}}"#)
        #expect(c.budget == .epochs(12))
        #expect(c.checkpoints.evaluations(for: .ae) == [.ae, .aeDecoderAMD])
        #expect(c.optimiser.method == .adam)
        #expect(c.optimiser.beta1 == 0.9 && c.optimiser.beta2 == 0.999 && c.optimiser.eps == 1e-8)
    }

    @Test func everyFieldRoundTrips() throws {
        let json = #"""
            {"method": "gfe", "latentDim": 8, "encoder": {"method": "amd", "preset": "paper", "tau": 5000},
             "gradient": "implicit", "optimiser": {"method": "adam", "lr": 0.001, "beta2": 0.99},
             "batchSize": 20, "budget": {"imagesSeen": 5760},
             "checkpoints": {"imagesSeen": [480, 960], "evaluations": ["gfe"], "split": "holdout", "atEnd": true},
             "validation": {"every": 10, "holdout": true, "holdoutLimit": 100}, "seed": 7,
             "data": {"dataset": "fashion_mnist", "trainLimit": 1000, "testLimit": 500}}
            """#
        let c = try Self.decode(json)
        #expect(c.latentDim == 8 && c.batchSize == 20 && c.seed == 7)
        guard case .amd(let amd) = c.encoder else {
            Issue.record("not AMD")
            return
        }
        #expect(amd.preset == .paper && amd.tau == 5000 && amd.beta == 0.75 && amd.maxReductions == 48)
        #expect(c.gradient.mode == .implicit)
        #expect(c.optimiser.method == .adam && c.optimiser.learningRate == 0.001 && c.optimiser.beta2 == 0.99)
        #expect(c.budget == .imagesSeen(5760))
        #expect(
            c.checkpoints == CheckpointPlan(imagesSeen: [480, 960], evaluations: [.gfe], split: "holdout", atEnd: true))
        #expect(c.validation == ValidationSettings(every: 10, atStart: true, holdout: true, holdoutLimit: 100))
        #expect(c.data == DataSettings(dataset: .fashionMNIST, trainLimit: 1000, testLimit: 500))
        let again = try Self.decode(try c.json())
        #expect(again == c)
        let defaults = try Self.decode("{}")
        #expect(try Self.decode(try defaults.json()) == defaults)
    }

    @Test func unknownFieldsAreNamedWithSuggestions() {
        let top = Self.failure(#"{"batchsize": 16}"#)
        #expect(top.contains("unknown field 'batchsize'") && top.contains(#"did you mean "batchSize""#), "\(top)")
        let nested = Self.failure(#"{"optimiser": {"lr": 0.001, "alpah": 0.9}}"#)
        #expect(
            nested.contains("unknown field 'optimiser.alpah'") && nested.contains(#"did you mean "alpha""#), "\(nested)"
        )
        let adamAlpha = Self.failure(#"{"optimiser": {"method": "adam", "alpha": 0.9}}"#)
        #expect(adamAlpha.contains("unknown field 'optimiser.alpha'"), "\(adamAlpha)")
        let encoder = Self.failure(#"{"encoder": {"method": "amd", "tua": 5}}"#)
        #expect(
            encoder.contains("unknown field 'encoder.tua'") && encoder.contains(#"did you mean "tau""#), "\(encoder)")
        let budget = Self.failure(#"{"budget": {"epoch": 1}}"#)
        #expect(
            budget.contains("unknown field 'budget.epoch'") && budget.contains(#"did you mean "epochs""#), "\(budget)")
    }

    @Test func wrongTypesNameTheFieldAndTheType() {
        let batch = Self.failure(#"{"batchSize": "16"}"#)
        #expect(batch.contains("field 'batchSize' must be an integer"), "\(batch)")
        let lr = Self.failure(#"{"optimiser": {"lr": "fast"}}"#)
        #expect(lr.contains("field 'optimiser.lr' must be a number"), "\(lr)")
        let method = Self.failure(#"{"method": "gef"}"#)
        #expect(method.contains("field 'method' is 'gef'") && method.contains("'gfe', 'ae'"), "\(method)")
        let evaluations = Self.failure(#"{"checkpoints": {"evaluations": ["gfee"]}}"#)
        #expect(evaluations.contains("'gfee'") && evaluations.contains(#"did you mean "gfe""#), "\(evaluations)")
        let dataset = Self.failure(#"{"data": {"dataset": "mnsit"}}"#)
        #expect(
            dataset.contains("'data.dataset' is 'mnsit'") && dataset.contains(#"did you mean "mnist""#), "\(dataset)")
        let seed = Self.failure(#"{"seed": -1}"#)
        #expect(seed.contains("field 'seed' must be"), "\(seed)")
        let object = Self.failure(#"{"optimiser": 5}"#)
        #expect(object.contains("'optimiser' must be an object"), "\(object)")
    }

    @Test func outOfRangeValuesSayWhatIsAllowed() {
        let cases: [(String, String)] = [
            (#"{"batchSize": 0}"#, "'batchSize' is 0; it must be from 1 to 60,000"),
            (#"{"latentDim": 0}"#, "'latentDim' is 0; it must be from 1 to 10,000"),
            (#"{"optimiser": {"lr": -1}}"#, "'optimiser.lr' is -1.0; it must be a positive number"),
            (#"{"optimiser": {"alpha": 1}}"#, "'optimiser.alpha' is 1.0; it must be in [0, 1)"),
            (#"{"budget": {"iterations": 0}}"#, "'budget.iterations' is 0; it must be from 1 to 1,000,000,000"),
            (#"{"budget": {"epochs": 1, "iterations": 5}}"#, "exactly one of 'epochs', 'iterations', 'imagesSeen'"),
            (#"{"budget": {}}"#, "exactly one of"),
            (#"{"checkpoints": {"imagesSeen": [960, 480]}}"#, "strictly increasing"),
            (#"{"checkpoints": {"imagesSeen": [0]}}"#, "positive counts"),
            (#"{"checkpoints": {"split": "train"}}"#, "expected 'test' or 'holdout'"),
            (#"{"validation": {"every": 0}}"#, "'validation.every' is 0; it must be at least 1"),
            (#"{"validation": {}}"#, "'validation.every' is missing"),
            (#"{"validation": {"every": 5, "holdoutLimit": 10}}"#, "'holdout' is false"),
            (#"{"data": {"trainLimit": 0}}"#, "'data.trainLimit' is 0"),
            (#"{"encoder": {"method": "amd", "beta": 1.5}}"#, "'encoder.beta' is 1.5")
        ]
        for (json, expected) in cases {
            let message = Self.failure(json)
            #expect(message.contains(expected), "\(json): \(message)")
        }
    }

    /// Sizes that would not fit in memory or time, or overflow Int on the way, are refused when the config is
    /// read, with the field and its range (the cases of issue 13's adversarial pass).
    @Test func sizesBeyondWhatTheMachineHoldsAreRefused() {
        let cases: [(String, String)] = [
            (
                #"{"budget": {"iterations": 9223372036854775807}}"#,
                "'budget.iterations' is 9223372036854775807; it must be from 1 to 1,000,000,000"
            ),
            (
                #"{"budget": {"epochs": 1000000000000000}}"#,
                "'budget.epochs' is 1000000000000000; it must be from 1 to 1,000,000"
            ),
            (#"{"budget": {"imagesSeen": 9223372036854775000}}"#, "'budget.imagesSeen' is 9223372036854775000"),
            (#"{"batchSize": 1000000000}"#, "'batchSize' is 1000000000; it must be from 1 to 60,000"),
            (#"{"latentDim": 1000000000000000}"#, "'latentDim' is 1000000000000000; it must be from 1 to 10,000"),
            (#"{"encoder": {"method": "fixedGrid", "points": 1000000000}}"#, "'encoder.points' is 1000000000"),
            (
                #"{"encoder": {"method": "amd", "maxReductions": 100000000}}"#,
                "'encoder.maxReductions' is 100000000; it must be from 0 to 1,000"
            ),
            // Within each field's range, but more iterations than a run may take (batches of 1 over 10^15 images).
            (#"{"batchSize": 1, "budget": {"imagesSeen": 1000000000000000}}"#, "takes 1000000000000000 iterations"),
            (#"{"method": "ae", "budget": {"epochs": 1000000}}"#, "more than 1000000000"),
            // Limits beyond their splits, and a checkpoint the budget never reaches.
            (#"{"data": {"testLimit": 10001}}"#, "'data.testLimit' is 10001; mnist's test split has 10000 samples"),
            (#"{"data": {"trainLimit": 50001}}"#, "'data.trainLimit' is 50001; mnist's train split has 49992 samples"),
            (#"{"validation": {"every": 5, "holdout": true, "holdoutLimit": 10001}}"#, "holdout split has 10000"),
            (
                #"{"budget": {"iterations": 30}, "checkpoints": {"imagesSeen": [480, 481]}}"#,
                "checkpoint at 481 images seen is beyond the budget, which ends at 480 images"
            )
        ]
        for (json, expected) in cases {
            let message = Self.failure(json)
            #expect(message.contains(expected), "\(json): \(message)")
        }
    }

    @Test func combinationsAreChecked() {
        let cases: [(String, String)] = [
            (#"{"method": "ae", "checkpoints": {"evaluations": ["gfe"]}}"#, "'checkpoints.evaluations' has 'gfe'"),
            (#"{"method": "gfe", "checkpoints": {"evaluations": ["aeDecoderAMD"]}}"#, "has 'aeDecoderAMD'"),
            (#"{"method": "ae", "gradient": "unrolled"}"#, "'gradient' applies to method 'gfe' only"),
            (#"{"gradient": "adjoint"}"#, "needs the fixed-grid encoder"),
            (#"{"data": {"dataset": "segmented_mnist"}, "validation": {"every": 5}}"#, "segmented_mnist has none"),
            (#"{"data": {"dataset": "segmented_mnist"}, "checkpoints": {"split": "holdout"}}"#, "no holdout set")
        ]
        for (json, expected) in cases {
            let message = Self.failure(json)
            #expect(message.contains(expected), "\(json): \(message)")
        }
        // The command-line spelling of the AE-decoder evaluation is accepted too.
        #expect((try? Self.decode(#"{"method": "ae", "checkpoints": {"evaluations": ["ae-decoder-amd"]}}"#)) != nil)
    }

    @Test func malformedJSONIsBadInput() {
        let message = Self.failure(#"{"batchSize": 16,"#)
        #expect(message.contains("not valid JSON"), "\(message)")
    }

    /// Iterations and images seen for each budget, worked by hand for a pool of 100 and B = 16 (epochs of
    /// 6 full batches and one of 4).
    @Test func budgetsCountIterationsAsTheSamplerDraws() {
        #expect(TrainingBudget.epochs(1).iterations(poolCount: 100, batchSize: 16) == 7)
        #expect(TrainingBudget.epochs(3).iterations(poolCount: 100, batchSize: 16) == 21)
        #expect(TrainingBudget.iterations(5).iterations(poolCount: 100, batchSize: 16) == 5)
        #expect(TrainingBudget.imagesSeen(96).iterations(poolCount: 100, batchSize: 16) == 6)
        #expect(TrainingBudget.imagesSeen(97).iterations(poolCount: 100, batchSize: 16) == 7)
        #expect(TrainingBudget.imagesSeen(100).iterations(poolCount: 100, batchSize: 16) == 7)
        // 100 + 16 + 16 = 132 ≥ 120 after 9 iterations, 116 after 8.
        #expect(TrainingBudget.imagesSeen(120).iterations(poolCount: 100, batchSize: 16) == 9)
        #expect(Trainer.imagesSeen(afterIterations: 7, poolCount: 100, batchSize: 16) == 100)
        #expect(Trainer.imagesSeen(afterIterations: 8, poolCount: 100, batchSize: 16) == 116)
        #expect(Trainer.imagesSeen(afterIterations: 9, poolCount: 100, batchSize: 16) == 132)
        #expect(Trainer.imagesSeen(afterIterations: 360, poolCount: 49_992, batchSize: 16) == 5760)
    }
}
