import GFECore
import GFESolvers
import GFETraining
import Testing

@testable import GFEExperiments

/// `outputs.solveCurves` (paper figure 1) in a spec: the field's reader and its errors, and the figure's
/// time axis.
@Suite struct SolveCurveSettingsTests {
    func outputs(_ solveCurves: String) throws -> OutputSettings {
        try ExperimentFixtures.resolve(
            #"{"base": {"budget": {"iterations": 300}}, "outputs": {"solveCurves": "#
                + solveCurves + "}}"
        ).spec.outputs
    }

    func expectError(_ text: String, _ fragments: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        guard let message = ExperimentFixtures.specError(text) else {
            Issue.record("the spec was accepted: \(text)", sourceLocation: sourceLocation)
            return
        }
        #expect(!message.hasPrefix("NOT BAD INPUT"), "\(message)", sourceLocation: sourceLocation)
        for f in fragments {
            #expect(message.contains(f), "missing \"\(f)\" in: \(message)", sourceLocation: sourceLocation)
        }
    }

    func expectSolveCurvesError(
        _ solveCurves: String, _ fragments: [String],
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        expectError(
            #"{"base": {"budget": {"iterations": 300}}, "outputs": {"solveCurves": "# + solveCurves + "}}",
            ["exp.json"] + fragments, sourceLocation: sourceLocation)
    }

    @Test func validSettingsAreReadAndEnterTheRunId() throws {
        let o = try outputs(#"{"iterations": [0, 50, 250], "images": 20}"#)
        #expect(o.solveCurves == SolveCurveSettings(iterations: [0, 50, 250], images: 20))
        #expect(
            o.json.canonicalText
                == #"{"latents":[],"models":"final","solveCurves":{"images":20,"iterations":[0,50,250]},"trainLatentCount":1000}"#
        )
        // Without the field nothing changes: no key in the canonical JSON, so earlier run ids stay.
        let plain = try ExperimentFixtures.resolve("{}").spec.outputs
        #expect(plain.solveCurves == nil)
        #expect(plain.json.canonicalText == #"{"latents":[],"models":"final","trainLatentCount":1000}"#)
        let with = try ExperimentFixtures.plan(#"{"outputs": {"solveCurves": {"iterations": [0], "images": 4}}}"#)
        let without = try ExperimentFixtures.plan("{}")
        #expect(with.runs[0].id != without.runs[0].id)
        // The last iteration may be the budget's own count: the model after the last update.
        #expect(try outputs(#"{"iterations": [300], "images": 1}"#).solveCurves?.iterations == [300])
    }

    @Test func malformedSettingsAreNamed() {
        expectSolveCurvesError(
            #"[0, 50]"#, ["$.outputs.solveCurves", "an array", "expected an object", "\"iterations\""])
        expectSolveCurvesError(
            #"{"iteration": [0], "images": 20}"#,
            ["$.outputs.solveCurves.iteration", "unknown field \"iteration\"", "did you mean \"iterations\""])
        expectSolveCurvesError(#"{"images": 20}"#, ["$.outputs.solveCurves", "\"iterations\" is missing"])
        expectSolveCurvesError(
            #"{"iterations": 50, "images": 20}"#,
            ["$.outputs.solveCurves.iterations", "a number (50)", "strictly increasing array"])
        expectSolveCurvesError(#"{"iterations": [], "images": 20}"#, ["$.outputs.solveCurves.iterations", "empty"])
        expectSolveCurvesError(
            #"{"iterations": [0, "50"], "images": 20}"#,
            ["$.outputs.solveCurves.iterations[1]", "a string (\"50\")", "an iteration count"])
        expectSolveCurvesError(
            #"{"iterations": [0, 2.5], "images": 20}"#, ["$.outputs.solveCurves.iterations[1]", "2.5"])
        expectSolveCurvesError(
            #"{"iterations": [-1, 5], "images": 20}"#,
            ["$.outputs.solveCurves.iterations[0]", "-1 is out of range", "≥ 0"])
        expectSolveCurvesError(
            #"{"iterations": [0, 50, 50], "images": 20}"#,
            ["$.outputs.solveCurves.iterations[2]", "50 follows 50", "strictly increasing"])
        expectSolveCurvesError(
            #"{"iterations": [100, 50], "images": 20}"#,
            ["$.outputs.solveCurves.iterations[1]", "50 follows 100"])
        expectSolveCurvesError(
            #"{"iterations": [0]}"#, ["$.outputs.solveCurves", "\"images\" is missing", "positive integer"])
        expectSolveCurvesError(
            #"{"iterations": [0], "images": "20"}"#,
            ["$.outputs.solveCurves.images", "a string (\"20\")", "a positive integer"])
        expectSolveCurvesError(
            #"{"iterations": [0], "images": 0}"#, ["$.outputs.solveCurves.images", "0 is out of range"])
    }

    @Test func settingsThatDoNotFitTheRunsAreNamed() {
        expectError(
            #"{"base": {"budget": {"iterations": 100}}, "outputs": {"solveCurves": {"iterations": [0, 50, 250], "images": 20}}}"#,
            [
                "exp.json", "$.outputs.solveCurves.iterations",
                "iteration 250 is beyond the budget of run 0 (100 iterations)"
            ])
        expectError(
            #"{"sweep": {"axes": {"method": ["gfe", "ae"]}}, "outputs": {"solveCurves": {"iterations": [0], "images": 20}}}"#,
            ["exp.json", "$.outputs.solveCurves", "run 1 is an autoencoder", "no solver"])
    }
}
