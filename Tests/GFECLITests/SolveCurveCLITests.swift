import Foundation
import GFECore
import GFEStore
import Testing

/// `outputs.solveCurves` (paper figure 1) end to end through the built `gfe`: a tiny sweep over the two
/// fixed-grid dynamics is run, its run.h5 and curves.csv hold the same curves, `gfe plot` draws one figure per
/// run with a line per recorded iteration, and the repository's fig1 spec resolves.
@Suite(.serialized) struct SolveCurveCLITests {
    typealias CLI = ExperimentCLI

    static let spec = """
        {
          "name": "e2e-solve-curves",
          "description": "solve curves of both fixed-grid dynamics, tiny",
          "base": {"batchSize": 4, "budget": {"iterations": 2}, "encoder": {"method": "fixedGrid", "points": 5, "tau": 200},
                   "data": {"trainLimit": 16, "testLimit": 8}},
          "sweep": {"axes": {"encoder.dynamics": ["gradientFlow", "nesterov"]}},
          "outputs": {"models": "none", "solveCurves": {"iterations": [0, 2], "images": 3}}
        }
        """

    @Test func runStoresTheCurvesAndPlotDrawsThem() throws {
        let spec = try CLI.spec("solve-curves", Self.spec)
        let ids = try CLI.runIds(spec)
        let run = try CLI.gfe(["run", spec, "--jobs", "2", "--results", CLI.results])
        #expect(run.status == 0, "\(run.out)\n\(run.err)")

        for id in ids {
            let folder = "\(CLI.results)/e2e-solve-curves/\(id)"
            let stored = try HDF5File.read(folder + "/run.h5") { f throws -> [(Int64, [Double], [Double])] in
                #expect(try f.stringAttribute("encoder", of: "solve_curves") == "fixedGrid")
                #expect(try f.attribute("iterations", of: "solve_curves") == .int64Array([0, 2]))
                #expect(try f.members(of: "solve_curves").map(\.name) == ["iteration_000000", "iteration_000002"])
                return try ["iteration_000000", "iteration_000002"].map { name in
                    let g = "solve_curves/" + name
                    #expect(try f.int64Attribute("images", of: g) == 3)
                    #expect(try f.int64Attribute("images_seen", of: g) == (name.hasSuffix("2") ? 8 : 0))
                    return (
                        try f.int64Attribute("iteration", of: g), try f.readDoubles(g + "/t").values,
                        try f.readDoubles(g + "/mean_loss").values
                    )
                }
            }
            #expect(stored.map(\.0) == [0, 2])
            // The log grid of 5 points to 0.75τ: t_k = (τ/4)(4^{k/4} − 1).
            let grid = (0..<5).map { 50 * (pow(4, Double($0) / 4) - 1) }
            for (_, t, loss) in stored {
                #expect(t.count == 5 && zip(t, grid).allSatisfy { abs($0 - $1) <= 1e-9 * max($1, 1) }, "\(t)")
                #expect(loss.count == 5 && loss.allSatisfy { $0 > 0 && $0 < 1 }, "\(loss)")
            }
            #expect(stored[1].2.last! < stored[0].2.last!, "training should lower the curve: \(stored.map(\.2))")

            // curves.csv: (t, mean loss) pairs in time order at each recorded iteration, the same numbers.
            let curves = try CSV.read(folder + "/curves.csv")
            let rows = curves.rows.filter { $0[4].hasPrefix("solve_curve_") }
            #expect(rows.count == 2 * 2 * 5)
            for (k, (iteration, t, loss)) in stored.enumerated() {
                let mine = rows[(k * 10)..<(k * 10 + 10)]
                #expect(mine.allSatisfy { $0[1] == String(iteration) && $0[0] == id })
                #expect(
                    mine.enumerated().allSatisfy {
                        $0.element[4] == ($0.offset % 2 == 0 ? "solve_curve_t" : "solve_curve_mean_loss")
                    })
                #expect(mine.enumerated().filter { $0.offset % 2 == 0 }.map { Double($0.element[5])! } == t)
                #expect(mine.enumerated().filter { $0.offset % 2 == 1 }.map { Double($0.element[5])! } == loss)
            }
            // The iteration-0 curve comes before the first training row, the other after iteration 2's.
            let metrics = curves.rows.map { "\($0[1]) \($0[4])" }
            #expect(metrics.first == "0 solve_curve_t" && metrics.last == "2 solve_curve_mean_loss", "\(metrics)")
        }

        let plot = try CLI.gfe(["plot", spec, "--results", CLI.results])
        #expect(plot.status == 0, "\(plot.out)\n\(plot.err)")
        let figures = "\(CLI.results)/e2e-solve-curves/figures"
        let index = try String(contentsOfFile: figures + "/index.md", encoding: .utf8)
        // Paper figure 1's layout: one figure, a panel per run, a line per recorded iteration.
        let svg = try String(contentsOfFile: figures + "/solve-curves.svg", encoding: .utf8)
        #expect(svg.contains("integration time t") && svg.contains("mean loss of the batch"))
        #expect(
            svg.contains("untrained decoder (iteration 0)") && svg.contains("after 2 iterations"), "\(svg.prefix(300))")
        #expect(index.contains("solve-curves") && index.contains("paper figure 1"))
        // Linear t: the 5 grid times span less than a factor 30.
        #expect(!index.contains("logarithmic t"), "\(index)")
        // The generic curve figures leave the solve-curve rows alone.
        let files = try FileManager.default.contentsOfDirectory(atPath: figures)
        #expect(!files.contains { $0.hasPrefix("solve_curve_") }, "\(files)")
    }

    @Test func autoencoderWithSolveCurvesIsRejected() throws {
        let spec = try CLI.spec(
            "solve-curves-ae",
            """
            {"name": "e2e-solve-curves-ae", "base": {"method": "ae"},
             "outputs": {"solveCurves": {"iterations": [0], "images": 4}}}
            """)
        let r = try CLI.gfe(["resolve", spec, "--results", CLI.results])
        #expect(r.status == 2)
        #expect(r.err.contains("$.outputs.solveCurves") && r.err.contains("run 0 is an autoencoder"), "\(r.err)")
    }

    @Test func figure1SpecResolves() throws {
        let r = try CLI.gfe(["resolve", CLI.repositoryRoot + "/experiments/fig1.json", "--results", CLI.results])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains(#""solveCurves":{"images":20,"iterations":[0,50,250]}"#), "\(r.out)")
        #expect(
            r.out.contains("encoder.dynamics=gradientFlow") && r.out.contains("encoder.dynamics=nesterov"), "\(r.out)")
    }
}
