import GFECore
import GFETraining
import Testing

@testable import GFEExperiments

/// One test per kind of spec mistake: each error names the file, the JSON location, the value found and what
/// is allowed (with a did-you-mean for misspelt names), and is bad input (exit 2).
@Suite("Spec validation messages")
struct SpecValidationTests {
    /// Asserts that `text` is rejected with a message containing every fragment.
    func expectError(
        _ text: String, overrides: [String] = [], _ fragments: [String],
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        guard let message = ExperimentFixtures.specError(text, overrides: overrides) else {
            Issue.record("the spec was accepted: \(text)", sourceLocation: sourceLocation)
            return
        }
        #expect(!message.hasPrefix("NOT BAD INPUT"), "\(message)", sourceLocation: sourceLocation)
        for f in fragments {
            #expect(message.contains(f), "missing \"\(f)\" in: \(message)", sourceLocation: sourceLocation)
        }
    }

    /// A budget holds one kind: setting another kind, by --set or a sweep, replaces it (docs/specs.md).
    @Test func settingABudgetKindReplacesTheBudget() throws {
        let spec = #"{"base": {"budget": {"imagesSeen": 5760}}}"#
        let overridden = try ExperimentFixtures.resolve(spec, overrides: ["budget.iterations=20"])
        #expect(overridden.points[0].config.budget == .iterations(20))
        let swept = try ExperimentFixtures.resolve(
            #"{"base": {"budget": {"imagesSeen": 5760}}, "sweep": {"axes": {"budget.epochs": [1, 2]}}}"#)
        #expect(swept.points.map(\.config.budget) == [.epochs(1), .epochs(2)])
    }

    /// A number no Double holds is named as too large (not taken for a string, then "not a number"); one that
    /// underflows to 0 is judged as 0.
    @Test func numbersBeyondADoubleAreNamed() {
        expectError(
            "{}", overrides: ["optimiser.lr=1e400"], ["--set 'optimiser.lr=1e400'", "the number 1e400 is too large"])
        expectError("{}", overrides: ["optimiser.lr=1e-400"], ["'optimiser.lr' is 0.0; it must be a positive number"])
    }

    /// null does not silently mean the default: leaving the field out does.
    @Test func nullIsRefusedWithTheWayToTheDefault() {
        expectError(
            "{}", overrides: ["batchSize=null"],
            ["--set 'batchSize=null'", "field 'batchSize' is null", "left out for its default"])
        expectError(#"{"base": {"encoder": {"tau": null}}}"#, ["$.base", "'encoder.tau' is null"])
    }

    @Test func validSpecIsAccepted() {
        #expect(ExperimentFixtures.specError(#"{"name": "ok", "base": {"batchSize": 16}, "seeds": [1, 2]}"#) == nil)
        #expect(ExperimentFixtures.specError("{}") == nil)
    }

    @Test func malformedJSONGivesLineAndColumn() {
        expectError("{\n  \"base\": {\"batchSize\": 16,}\n}", ["exp.json", "line 2", "column", "trailing comma"])
        expectError("{\"base\": {}", ["exp.json", "line 1", "expected ',' or '}'"])
    }

    @Test func duplicateKeyIsNamed() {
        expectError(#"{"base": {"seed": 1, "seed": 2}}"#, ["exp.json", "\"seed\" appears twice", "$.base"])
    }

    @Test func unknownTopLevelFieldSuggestsName() {
        expectError(
            #"{"sweeps": {}}"#,
            [
                "exp.json", "$.sweeps", "unknown field \"sweeps\"", "did you mean \"sweep\"",
                "\"seeds\""
            ])
    }

    @Test func unknownConfigFieldSuggestsName() {
        expectError(
            #"{"base": {"batchsize": 16}}"#, ["exp.json", "$.base", "'batchsize'", "did you mean \"batchSize\""])
    }

    @Test func unknownEncoderFieldSuggestsName() {
        expectError(
            #"{"base": {"encoder": {"tua": 5}}}"#,
            ["$.base", "unknown field 'encoder.tua'", "did you mean \"tau\"", "'maxStep'"])
    }

    @Test func wrongTypeInSpecNamesTypeAndValue() {
        expectError(#"{"seeds": "1"}"#, ["exp.json", "$.seeds", "a string (\"1\")", "non-empty array of seeds"])
        expectError(#"{"sweep": {"axes": {"latentDim": 20}}}"#, ["$.sweep.axes.latentDim", "a number (20)", "array"])
    }

    @Test func wrongTypeInConfigNamesField() {
        expectError(#"{"base": {"batchSize": "16"}}"#, ["$.base", "'batchSize'", "must be an integer"])
    }

    @Test func outOfRangeInBaseNamesValueAndRange() {
        expectError(#"{"base": {"batchSize": 0}}"#, ["$.base", "'batchSize' is 0", "from 1 to 60,000"])
    }

    @Test func outOfRangeSweptValuePointsAtTheSweep() {
        expectError(
            #"{"sweep": {"axes": {"encoder.beta": [0.5, 2]}}}"#,
            [
                "exp.json", "run 1", "encoder.beta = 2", #"$.sweep.axes["encoder.beta"][1]"#, "'encoder.beta' is 2",
                "strictly between 0 and 1"
            ])
    }

    @Test func unknownNameSuggestsOne() {
        expectError(
            #"{"base": {"data": {"dataset": "mnsit"}}}"#, ["'mnsit'", "did you mean \"mnist\"", "'fashion_mnist'"])
        expectError(
            #"{"sweep": {"axes": {"method": ["gfe", "gfee"]}}}"#,
            ["run 1", "$.sweep.axes.method[1]", "'gfee'", "did you mean \"gfe\"", "'ae'"])
        expectError(
            #"{"base": {"encoder": {"preset": "paperr"}}}"#, ["'paperr'", "did you mean \"paper\"", "'official'"])
    }

    @Test func badSeedIsRejected() {
        expectError(#"{"seeds": [1, -2]}"#, ["$.seeds[1]", "-2 is not a seed", "non-negative integer"])
        expectError(#"{"seeds": [3, 3]}"#, ["$.seeds[1]", "repeats $.seeds[0]"])
        expectError(#"{"seeds": [1], "sweep": {"axes": {"seed": [2]}}}"#, ["$.seeds", "also swept"])
    }

    @Test func emptyAxisIsRejected() {
        expectError(#"{"sweep": {"axes": {"batchSize": []}}}"#, ["$.sweep.axes.batchSize", "non-empty array"])
    }

    @Test func zipNeedsEqualLengths() {
        expectError(
            #"{"sweep": {"zip": [{"method": ["gfe", "ae"], "seed": [1]}]}}"#,
            ["$.sweep.zip[0]", "same number of values", "'method' has 2", "'seed' has 1"])
    }

    /// A zipped field may repeat a value (several methods on one decoder setting); two equal points may not.
    @Test func zipPointsMustDifferNotTheirFields() throws {
        let resolved = try ExperimentFixtures.resolve(
            #"{"sweep": {"zip": [{"method": ["gfe", "gfe", "ae"], "batchSize": [16, 32, 16]}]}}"#)
        #expect(resolved.points.map(\.config.batchSize) == [16, 32, 16])
        expectError(
            #"{"sweep": {"zip": [{"method": ["gfe", "ae", "gfe"], "batchSize": [16, 16, 16]}]}}"#,
            ["$.sweep.zip[0]", "index 2", "repeat those at index 0", "each point must appear once"])
    }

    @Test func overlappingSweptPathsAreRejected() {
        expectError(
            #"{"sweep": {"axes": {"encoder": [{"method": "amd"}], "encoder.tau": [1, 2]}}}"#,
            [#"$.sweep.axes["encoder.tau"]"#, "overlaps 'encoder'"])
        expectError(#"{"sweep": {"axes": {"seed": [1, 2]}, "zip": [{"seed": [3, 4]}]}}"#, ["'seed' is swept twice"])
    }

    @Test func badPathSyntaxIsRejected() {
        expectError(#"{"sweep": {"axes": {"encoder..beta": [1]}}}"#, ["'encoder..beta' is not a field path"])
    }

    @Test func settingInsideANonObjectIsExplained() {
        expectError(
            #"{"base": {"gradient": "adjoint"}, "sweep": {"axes": {"gradient.mode": ["approximate"]}}}"#,
            [#"$.sweep.axes["gradient.mode"][0]"#, "'gradient' is a string", "not an object"])
    }

    @Test func invalidCombinationIsReported() {
        expectError(
            #"{"base": {"budget": {"epochs": 1, "iterations": 3}}}"#, ["$.base", "exactly one of", "'iterations'"])
        expectError(#"{"base": {"gradient": "adjoint"}}"#, ["$.base", "'adjoint' needs the fixed-grid encoder"])
    }

    @Test func identicalRunsAreRejected() {
        // The second encoder only spells out the first one's defaults.
        expectError(
            #"{"sweep": {"axes": {"encoder": [{"method": "amd"}, {"method": "amd", "tau": 1e4}]}}}"#,
            ["runs 0 and 1 resolve to the same configuration"])
    }

    @Test func experimentNameMustBeAFolderName() {
        expectError(#"{"name": "../x"}"#, ["$.name", "\"../x\"", "letters, digits"])
    }

    @Test func overrideErrorsNameTheOverride() {
        expectError("{}", overrides: ["batchSize"], ["--set 'batchSize'", "PATH=VALUE"])
        expectError("{}", overrides: ["batchSize=0"], ["--set 'batchSize=0'", "'batchSize' is 0"])
        expectError("{}", overrides: ["encoder=1", "encoder.tau=3"], ["overlaps"])
    }

    @Test func tableMistakesAreNamed() {
        let sweep = #""sweep": {"axes": {"method": ["gfe", "ae"]}}"#
        expectError(
            "{\(sweep), \"table\": {\"columns\": [{\"name\": \"x\", \"where\": {\"methd\": \"gfe\"}, \"metric\": \"test_loss_gfe\"}]}}",
            ["$.table.columns[0].where.methd", "not a swept field", "did you mean \"method\""])
        expectError(
            "{\(sweep), \"table\": {\"columns\": [{\"name\": \"x\", \"where\": {\"method\": \"gfee\"}, \"metric\": \"test_loss_gfe\"}]}}",
            ["$.table.columns[0].where.method", "\"gfee\" is not among the swept values", "did you mean \"gfe\""])
        expectError(
            "{\(sweep), \"table\": {\"columns\": [{\"name\": \"x\", \"where\": {\"method\": \"gfe\"}, \"metric\": \"test_los_gfe\"}]}}",
            ["$.table.columns[0].metric", "\"test_los_gfe\"", "did you mean \"test_loss_gfe\""])
        expectError(
            "{\(sweep), \"table\": {\"columns\": [{\"name\": \"x\", \"metric\": \"train_seconds\"}]}}",
            ["$.table.columns[0].where", "2 different sweep points", "'method'"])
        expectError(
            "{\(sweep), \"table\": {\"index\": \"images\", \"columns\": [{\"name\": \"x\", \"metric\": \"m\"}]}}",
            ["$.table.index", "\"images\"", "did you mean \"images_seen\""])
    }

    @Test func outputMistakesAreNamed() {
        expectError(
            #"{"outputs": {"latents": ["evalution"]}}"#, ["$.outputs.latents[0]", "did you mean \"evaluation\""])
        expectError(
            #"{"outputs": {"latents": ["train"]}}"#, ["$.outputs.latents", "stored at checkpoints", "run 0 has none"])
        expectError(#"{"outputs": {"models": "al"}}"#, ["$.outputs.models", "\"al\"", "\"final\""])
    }

    @Test func referenceMistakesAreNamed() {
        expectError(#"{"reference": {"file": "r.csv"}}"#, ["$.reference.key", "is missing"])
        expectError(
            #"{"reference": {"file": "r.csv", "key": "k", "rtol": -1}}"#, ["$.reference.rtol", "-1", "non-negative"])
    }
}
