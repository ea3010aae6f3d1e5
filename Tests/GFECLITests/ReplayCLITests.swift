import Foundation
import GFEStore
import Testing

/// `gfe replay` end to end: a run that overflows its decoder is replayed in Float32 (the failure again) and
/// Float64 (finite), with its per-interval CSV; a finished run's next step; every refusal a user can hit.
@Suite(.serialized) struct ReplayCLITests {
    typealias CLI = ExperimentCLI

    static let spec = """
        {
          "name": "e2e-replay",
          "description": "fixed-grid GFE, adjoint gradient: a learning rate that overflows the decoder, and the default",
          "base": {"batchSize": 8, "budget": {"iterations": 4}, "data": {"trainLimit": 32, "testLimit": 8},
                   "encoder": {"method": "fixedGrid", "points": 3, "tau": 100}, "gradient": "adjoint"},
          "sweep": {"axes": {"optimiser": [{"method": "rmsprop", "lr": 1e30}, {"method": "rmsprop"}]}},
          "seeds": [1]
        }
        """

    @Test func replaysTheFailingStepAndRefusesWhatItCannot() throws {
        let spec = try CLI.spec("replay", Self.spec)
        let root = ["--results", CLI.results]
        func replay(_ extra: [String]) throws -> ExperimentCLI.Output {
            try CLI.gfe(["replay", spec] + root + extra)
        }
        let notRun = try replay(["--index", "0"])
        #expect(notRun.status == 2 && notRun.err.contains("has no stored result"), "\(notRun.err)")

        let run = try CLI.gfe(["run", spec] + root)
        #expect(run.status == 1, "\(run.out)\n\(run.err)")
        #expect(run.out.contains("training stopped at iteration 2"), "\(run.out)")

        // The failing step: Float32 fails again, Float64 does not; the CSV has one row per grid interval.
        let csv = CLI.workspace + "/replay.csv"
        let failing = try replay(["--index", "0", "--csv", csv])
        #expect(failing.status == 0, "\(failing.err)")
        #expect(failing.out.contains("step 2 (8 images; 8 seen before it); the run failed"), "\(failing.out)")
        #expect(failing.out.contains("not finite in Float32, finite in Float64"), "\(failing.out)")
        #expect(failing.out.contains("stiffness along the grid (Float64 solve)"), "\(failing.out)")
        let table = try CSV.read(csv)
        #expect(
            table.header == [
                "interval", "t", "h", "alpha", "stiffness", "stiffness_row", "amplification", "adjoint_norm_float32",
                "adjoint_norm_float64"
            ])
        #expect(try table.column("interval") == ["0", "1"] && table.column("h") == ["25.0", "50.0"])
        let json = try replay(["--index", "0", "--json"])
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any], "\(json.out)")
        #expect(object["step"] as? Int == 2 && object["gradient"] as? String == "adjoint")
        #expect((object["float32"] as? [String: Any])?["finite"] as? Bool == false)
        #expect((object["float32"] as? [String: Any])?["meanLoss"] as? String == "nan")
        #expect((object["float64"] as? [String: Any])?["finite"] as? Bool == true)
        #expect((object["intervals"] as? [[String: Any]])?.map { $0["h"] as? Double } == [25, 50])

        // A finished run: the step after its budget, with a changed grid and gradient for the replay only.
        let next = try replay([
            "--index", "1", "--iteration", "5", "--change", "encoder.points=5", "--change", "gradient.mode=unrolled"
        ])
        #expect(next.status == 0, "\(next.err)")
        #expect(next.out.contains("finite in both precisions"), "\(next.out)")
        #expect(next.out.contains("changed for the replay: encoder.points=5, gradient.mode=unrolled"), "\(next.out)")
        #expect(!next.out.contains("adjoint sweep"), "\(next.out)")

        for (arguments, message) in [
            (["--index", "1"], "did not diverge; give --iteration K for a step after a stored model (--iteration 5)"),
            (["--index", "1", "--iteration", "3"], "stored no model after iteration 2"),
            (
                ["--index", "1", "--iteration", "5", "--change", "batchSize=3"],
                "may change 'encoder.…' and 'gradient.…' only"
            ),
            (["--index", "1", "--iteration", "5", "--change", "encoder.points=1"], "points"),
            (["--index", "2"], "index")
        ] {
            let r = try replay(arguments)
            #expect(r.status == 2 && r.err.contains(message), "\(arguments): \(r.err)")
        }
        let ae = try CLI.spec(
            "replay-ae",
            #"{"name": "e2e-replay-ae", "base": {"method": "ae", "budget": {"iterations": 2}}, "seeds": [1]}"#)
        let refused = try CLI.gfe(["replay", ae, "--index", "0"] + root)
        #expect(refused.status == 2 && refused.err.contains("is an autoencoder"), "\(refused.err)")
    }
}
