import Foundation
import GFECore
import GFETestSupport
import Testing

@testable import GFEExperiments

/// Random damage to every committed spec (a fixed seed, so a finding reproduces): reading, resolving and
/// planning either succeed or give bad input (exit 2) with a message; never a crash, a hang or another error.
@Suite struct SpecFuzzTests {
    @Test func damagedSpecsAreReadOrRefused() throws {
        let folder = TestPaths.repositoryRoot + "/experiments"
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".json") }
            .sorted()
        var rng = RNG(seed: 13, stream: "spec-fuzz")
        var (accepted, refused) = (0, 0)
        for name in names {
            let text = try String(contentsOfFile: folder + "/" + name, encoding: .utf8)
            for _ in 0..<300 {
                let damaged = Mutations.damage(json: text, rng: &rng)
                do {
                    let spec = try ExperimentSpec.parse(damaged, source: name)
                    _ = try ExperimentPlan(
                        try ResolvedExperiment(spec: spec),
                        identity: RunIdentityContext(codeVersion: "fuzz", fingerprint: { _ in "fingerprint" }))
                    accepted += 1
                } catch let error as ReportableError {
                    #expect(error.exitCode == 2 && !error.message.isEmpty, "\(name): \(error.message)\n\(damaged)")
                    #expect(!error.message.contains("NSCocoaErrorDomain"), "\(name): \(error.message)")
                    refused += 1
                } catch {
                    Issue.record("\(name): not a reportable error: \(error)\n\(damaged)")
                }
            }
        }
        // The damage is not all harmless nor all fatal: both answers occur.
        #expect(accepted > 0 && refused > accepted, "accepted \(accepted), refused \(refused)")
    }
}
