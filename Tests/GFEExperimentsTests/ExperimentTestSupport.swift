import Foundation
import GFECore
import GFEData
import GFETestSupport
import GFETraining

@testable import GFEExperiments

/// Helpers shared by the experiment tests.
enum ExperimentFixtures {
    /// The message of the error reading and resolving `text` as the spec "exp.json", or nil when it is
    /// valid. Every error must be bad input (exit code 2); anything else is reported as "NOT BAD INPUT".
    static func specError(_ text: String, overrides: [String] = []) -> String? {
        do {
            _ = try resolve(text, overrides: overrides)
            return nil
        } catch let e as ReportableError {
            return e.exitCode == 2 ? e.message : "NOT BAD INPUT: \(e.message)"
        } catch {
            return "NOT BAD INPUT: \(error)"
        }
    }

    static func resolve(_ text: String, overrides: [String] = []) throws -> ResolvedExperiment {
        let spec = try ExperimentSpec.parse(text, source: "exp.json")
        return try ResolvedExperiment(spec: spec, overrides: try ConfigOverride.parse(overrides))
    }

    /// A plan with a fixed, fake data fingerprint (the run-id tests must not depend on the data files).
    static func plan(
        _ text: String, overrides: [String] = [], code: String = "test-code",
        fingerprint: String = "mnist/test-fingerprint"
    ) throws -> ExperimentPlan {
        try ExperimentPlan(
            try resolve(text, overrides: overrides),
            identity: RunIdentityContext(codeVersion: code, fingerprint: { _ in fingerprint }))
    }

    /// A fresh empty folder under the system's temporary folder.
    static func temporaryFolder(_ name: String) throws -> String {
        try TestPaths.temporaryFolder("gfe-experiments-tests-\(name)")
    }
}
