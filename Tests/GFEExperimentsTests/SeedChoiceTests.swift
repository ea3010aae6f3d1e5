import GFECore
import GFETraining
import Testing

@testable import GFEExperiments

@Suite("--seeds: seeds chosen on the command line")
struct SeedChoiceTests {
    func seeds(_ spec: String, _ argument: String) throws -> [String] {
        let parsed = try ExperimentSpec.parse(spec, source: "exp.json")
        let e = try ResolvedExperiment(spec: try SeedChoice(parsing: argument).apply(to: parsed))
        return e.points.map { String($0.config.seed) }
    }

    @Test func countStartsAtTheSpecsFirstSeed() throws {
        #expect(try seeds(#"{"seeds": [2020]}"#, "3") == ["2020", "2021", "2022"])
        #expect(try seeds(#"{"seeds": [7, 100]}"#, "2") == ["7", "8"])
        #expect(try seeds(#"{"base": {"seed": 5}}"#, "2") == ["5", "6"])
        #expect(try seeds(#"{}"#, "1") == ["2020"])
    }

    @Test func listReplacesTheSeedsAndVariesFastest() throws {
        let parsed = try ExperimentSpec.parse(
            #"{"seeds": [1], "sweep": {"axes": {"method": ["ae", "gfe"]}}}"#, source: "exp.json")
        let e = try ResolvedExperiment(spec: try SeedChoice(parsing: "4, 9").apply(to: parsed))
        #expect(e.points.map { "\($0.config.method.rawValue)/\($0.config.seed)" } == ["ae/4", "ae/9", "gfe/4", "gfe/9"])
    }

    @Test func theSpecsOwnSeedKeepsItsRunId() throws {
        let text = #"{"seeds": [2020], "base": {"budget": {"iterations": 3}}}"#
        let spec = try ExperimentSpec.parse(text, source: "exp.json")
        let identity = RunIdentityContext(codeVersion: "c", fingerprint: { _ in "f" })
        let own = try ExperimentPlan(try ResolvedExperiment(spec: spec), identity: identity)
        let three = try ExperimentPlan(
            try ResolvedExperiment(spec: try SeedChoice(parsing: "3").apply(to: spec)), identity: identity)
        #expect(three.runs.count == 3)
        #expect(three.runs[0].id == own.runs[0].id)
    }

    @Test(arguments: ["0", "-1", "x", "1001", "1,,2", "3,3", "1,a"])
    func badArgumentsAreClearErrors(argument: String) {
        #expect(throws: GFEError.self) { _ = try SeedChoice(parsing: argument) }
    }

    /// A single seed reads as a count (too large) or as a list with an empty part: the error says how to
    /// run that one seed. A count or a list that is wrong otherwise gets no such hint.
    @Test(arguments: [
        ("2021", true), ("2021,", true), (",2021", true), ("0", false), ("1,a", false), ("3,3", false)
    ])
    func aSingleSeedIsPointedToSet(argument: String, hinted: Bool) {
        do {
            _ = try SeedChoice(parsing: argument)
            Issue.record("--seeds \(argument) was accepted")
        } catch {
            #expect("\(error)".contains("use --set seed=2021") == hinted, "\(error)")
            if !hinted { #expect(!"\(error)".contains("--set seed="), "\(error)") }
        }
    }

    @Test func aSeedSweptInTheSweepCannotBeReplaced() throws {
        let spec = try ExperimentSpec.parse(#"{"sweep": {"axes": {"seed": [1, 2]}}}"#, source: "exp.json")
        #expect(throws: GFEError.self) { _ = try SeedChoice(parsing: "2").apply(to: spec) }
    }
}
