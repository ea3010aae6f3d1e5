import GFECore
import GFETraining
import Testing

@testable import GFEExperiments

@Suite("Run ids")
struct RunIDTests {
    func id(_ spec: String, overrides: [String] = [], code: String = "test-code", fingerprint: String = "mnist/fp")
        throws -> String
    {
        try ExperimentFixtures.plan(spec, overrides: overrides, code: code, fingerprint: fingerprint).runs[0].id
    }

    @Test func idIsTheDocumentedHash() {
        // SHA-256 of the documented text, computed independently (Python hashlib):
        // "gfe-run-id/2\nconfig {\"a\":1}\noutputs {\"models\":\"final\"}\ndata mnist/x\ncode git:abc\narithmetic gfe-kernel/2"
        let config = JSONValue.object(JSONObject([("a", JSONValue(1))]))
        let outputs = JSONValue.object(JSONObject([("models", .string("final"))]))
        #expect(
            RunID.make(
                config: config, outputs: outputs, dataFingerprint: "mnist/x", codeVersion: "git:abc",
                arithmetic: "gfe-kernel/2") == "d38eb30a8767")
        // Another arithmetic, another id: runs whose numbers differ never share one.
        #expect(
            RunID.make(
                config: config, outputs: outputs, dataFingerprint: "mnist/x", codeVersion: "git:abc",
                arithmetic: "gfe-kernel/1") != "d38eb30a8767")
    }

    @Test func sameConfigurationSameId() throws {
        let a = try id(#"{"name": "one", "base": {"method": "gfe", "batchSize": 16}}"#)
        // Defaults spelled out, other key order, other number spelling, another experiment name.
        let b = try id(
            #"{"name": "two", "base": {"batchSize": 16.0, "latentDim": 20, "encoder": {"tau": 1e4, "preset": "official"}}}"#
        )
        #expect(a == b)
        #expect(a.count == 12 && a.allSatisfy(\.isHexDigit))
        #expect(try id("{}") == a)
    }

    @Test func idDoesNotDependOnPlanPosition() throws {
        let alone = try id(#"{"base": {"seed": 5}}"#)
        let plan = try ExperimentFixtures.plan(#"{"seeds": [4, 5, 6]}"#, code: "test-code", fingerprint: "mnist/fp")
        #expect(plan.runs[1].id == alone)
        #expect(Set(plan.runs.map(\.id)).count == 3)
    }

    @Test func anyChangeGivesANewId() throws {
        let base = try id("{}")
        let changed = [
            try id(#"{"base": {"seed": 2021}}"#),
            try id(#"{"base": {"batchSize": 20}}"#),
            try id(#"{"base": {"encoder": {"beta": 0.51}}}"#),
            try id(#"{"base": {"optimiser": {"lr": 0.0005000001}}}"#),
            try id(#"{"base": {"data": {"trainLimit": 100}}}"#),
            try id(#"{"base": {"checkpoints": {"atEnd": true}}}"#),
            try id(#"{"outputs": {"models": "none"}}"#),
            try id("{}", overrides: ["method=ae"]),
            try id("{}", code: "other-code"),
            try id("{}", fingerprint: "mnist/other-files")
        ]
        for (i, c) in changed.enumerated() { #expect(c != base, "change \(i) kept the id") }
        #expect(Set(changed).count == changed.count)
    }

    @Test func canonicalNumbersAndKeys() throws {
        let a = try JSONParser.parse(#"{"b": [1e4, 0.50, -0, 2.5e-5], "a": {"y": true, "x": null}}"#)
        #expect(a.canonicalText == #"{"a":{"x":null,"y":true},"b":[10000,0.5,0,2.5e-05]}"#)
        #expect(a == (try JSONParser.parse(#"{"a": {"x": null, "y": true}, "b": [10000, 0.5, 0, 0.000025]}"#)))
        #expect(JSONValue.canonicalNumber("123456789012345678901234567890") == "123456789012345678901234567890")
        #expect(JSONValue.canonicalNumber("1.5e300") == "1.5e+300")
    }
}
