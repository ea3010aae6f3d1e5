import GFECore
import GFEData
import GFEPlot
import GFESolvers
import Testing
@testable import GFEHarness

/// `outputs.solveCurves` (paper figure 1): the spec field's reader and its errors, the curves against an
/// independent re-encoding of the same batch, and training that is bit for bit the same with or without them.
@Suite struct SolveCurveSettingsTests {
    func outputs(_ solveCurves: String) throws -> OutputSettings {
        try ExperimentFixtures.resolve(#"{"base": {"budget": {"iterations": 300}}, "outputs": {"solveCurves": "#
                                       + solveCurves + "}}").spec.outputs
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

    func expectSolveCurvesError(_ solveCurves: String, _ fragments: [String],
                                sourceLocation: SourceLocation = #_sourceLocation) {
        expectError(#"{"base": {"budget": {"iterations": 300}}, "outputs": {"solveCurves": "# + solveCurves + "}}",
                    ["exp.json"] + fragments, sourceLocation: sourceLocation)
    }

    @Test func validSettingsAreReadAndEnterTheRunId() throws {
        let o = try outputs(#"{"iterations": [0, 50, 250], "images": 20}"#)
        #expect(o.solveCurves == SolveCurveSettings(iterations: [0, 50, 250], images: 20))
        #expect(o.json.canonicalText
                == #"{"latents":[],"models":"final","solveCurves":{"images":20,"iterations":[0,50,250]},"trainLatentCount":1000}"#)
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
        expectSolveCurvesError(#"[0, 50]"#, ["$.outputs.solveCurves", "an array", "expected an object", "\"iterations\""])
        expectSolveCurvesError(#"{"iteration": [0], "images": 20}"#,
                               ["$.outputs.solveCurves.iteration", "unknown field \"iteration\"", "did you mean \"iterations\""])
        expectSolveCurvesError(#"{"images": 20}"#, ["$.outputs.solveCurves", "\"iterations\" is missing"])
        expectSolveCurvesError(#"{"iterations": 50, "images": 20}"#,
                               ["$.outputs.solveCurves.iterations", "a number (50)", "strictly increasing array"])
        expectSolveCurvesError(#"{"iterations": [], "images": 20}"#, ["$.outputs.solveCurves.iterations", "empty"])
        expectSolveCurvesError(#"{"iterations": [0, "50"], "images": 20}"#,
                               ["$.outputs.solveCurves.iterations[1]", "a string (\"50\")", "an iteration count"])
        expectSolveCurvesError(#"{"iterations": [0, 2.5], "images": 20}"#, ["$.outputs.solveCurves.iterations[1]", "2.5"])
        expectSolveCurvesError(#"{"iterations": [-1, 5], "images": 20}"#,
                               ["$.outputs.solveCurves.iterations[0]", "-1 is out of range", "≥ 0"])
        expectSolveCurvesError(#"{"iterations": [0, 50, 50], "images": 20}"#,
                               ["$.outputs.solveCurves.iterations[2]", "50 follows 50", "strictly increasing"])
        expectSolveCurvesError(#"{"iterations": [100, 50], "images": 20}"#,
                               ["$.outputs.solveCurves.iterations[1]", "50 follows 100"])
        expectSolveCurvesError(#"{"iterations": [0]}"#, ["$.outputs.solveCurves", "\"images\" is missing", "positive integer"])
        expectSolveCurvesError(#"{"iterations": [0], "images": "20"}"#,
                               ["$.outputs.solveCurves.images", "a string (\"20\")", "a positive integer"])
        expectSolveCurvesError(#"{"iterations": [0], "images": 0}"#, ["$.outputs.solveCurves.images", "0 is out of range"])
    }

    @Test func settingsThatDoNotFitTheRunsAreNamed() {
        expectError(#"{"base": {"budget": {"iterations": 100}}, "outputs": {"solveCurves": {"iterations": [0, 50, 250], "images": 20}}}"#,
                    ["exp.json", "$.outputs.solveCurves.iterations", "iteration 250 is beyond the budget of run 0 (100 iterations)"])
        expectError(#"{"sweep": {"axes": {"method": ["gfe", "ae"]}}, "outputs": {"solveCurves": {"iterations": [0], "images": 20}}}"#,
                    ["exp.json", "$.outputs.solveCurves", "run 1 is an autoencoder", "no solver"])
    }
}

@Suite struct SolveCurveTrainingTests {
    static let settings = SolveCurveSettings(iterations: [0, 2, 3], images: 5)

    /// A few iterations of 4 images on a short fixed grid.
    static func config(_ encoder: EncoderSettings, iterations: Int = 3) -> TrainingConfig {
        var c = TrainingConfig(method: .gfe)
        c.encoder = encoder
        c.batchSize = 4
        c.budget = .iterations(iterations)
        c.data = DataSettings(dataset: .mnist, trainLimit: 40, testLimit: 8)
        return c
    }

    static func fixedGrid(_ dynamics: FlowDynamics) -> EncoderSettings {
        var s = FixedGridSettings(dynamics: dynamics)
        s.points = 6
        s.tau = 200
        return .fixedGrid(s)
    }

    static func train(_ c: TrainingConfig, solveCurves: SolveCurveSettings?) throws -> TrainingResult {
        try Trainer.run(c, data: try TrainingData.cut(try TestData.mnist(), c), solveCurves: solveCurves)
    }

    /// The decoder after `iterations` iterations: the final model of a run with that budget (training is
    /// deterministic, so this is the model the longer run had at that point).
    static func decoder(_ c: TrainingConfig, after iterations: Int) throws -> MLP<Float> {
        guard iterations > 0 else { return MLP(architecture: .decoder(latent: c.latentDim), seed: c.seed, stream: "init") }
        var shorter = c
        shorter.budget = .iterations(iterations)
        return try train(shorter, solveCurves: nil).model.decoder
    }

    /// The batch: the first `images` images of the train pool in the seeded order.
    static func batch(_ c: TrainingConfig, images: Int) throws -> Matrix<Float> {
        let pool = try TestData.mnist().split(.train, seed: c.seed, limit: c.data.trainLimit)
        var x = Matrix<Float>(rows: images, cols: DataSplit.pixelCount)
        pool.gather(0..<images, into: &x)
        return x
    }

    /// The mean over the rows of ℓ at the latents `z`, by a forward pass of its own.
    static func meanLoss(_ decoder: MLP<Float>, z: Matrix<Float>, x: Matrix<Float>) -> Double {
        var objective = DecoderObjective(decoder: decoder, maxBatch: x.rows)
        var loss = [Float]()
        objective.loss(z: z, x: x, loss: &loss)
        return loss.prefix(x.rows).reduce(0.0) { $0 + Double($1) } / Double(x.rows)
    }

    static func expectClose(_ a: [Double], _ b: [Double], _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(a.count == b.count, "\(what): \(a.count) values, expected \(b.count)", sourceLocation: sourceLocation)
        for (k, (u, v)) in zip(a, b).enumerated() {
            #expect(abs(u - v) <= 1e-6 * abs(v), "\(what) at point \(k): \(u) vs \(v)", sourceLocation: sourceLocation)
        }
    }

    @Test(arguments: [FlowDynamics.gradientFlow, .nesterov])
    func fixedGridCurvesEqualAnIndependentEncoding(dynamics: FlowDynamics) throws {
        let c = Self.config(Self.fixedGrid(dynamics))
        let result = try Self.train(c, solveCurves: Self.settings)
        #expect(result.solveCurves.map(\.iteration) == [0, 2, 3])
        #expect(result.solveCurves.map(\.imagesSeen) == [0, 8, 12])
        #expect(result.solveCurves.allSatisfy { $0.images == 5 })
        #expect(result.solveCurves[0].wallSeconds == 0 && result.solveCurves[2].wallSeconds == result.trainingSeconds)
        let x = try Self.batch(c, images: 5)
        guard case .fixedGrid(var s) = c.encoder else { return }
        s.recordTrajectory = true
        for curve in result.solveCurves {
            let decoder = try Self.decoder(c, after: curve.iteration)
            var encoder = try LatentEncoder<DecoderObjective<Float>>(.fixedGrid(s))
            var objective = DecoderObjective(decoder: decoder, maxBatch: 5)
            var rng = RNG(seed: 0)
            let encoding = try encoder.encode(objective: &objective, x: x, rng: &rng)
            guard case .fixedGrid(let trajectory)? = encoding.trajectory else {
                Issue.record("no fixed-grid trajectory")
                return
            }
            #expect(curve.times == s.times)
            Self.expectClose(curve.meanLoss, trajectory.z.map { Self.meanLoss(decoder, z: $0, x: x) },
                             "iteration \(curve.iteration)")
        }
        // Training moved the curves: the loss at the end of the solve falls from iteration 0 to 3.
        #expect(result.solveCurves[2].meanLoss.last! < result.solveCurves[0].meanLoss.last!)
    }

    @Test func amdCurvesStartFromTheirOwnStreamAndEqualAnIndependentEncoding() throws {
        let c = Self.config(.amd(TestData.shortAMD()))   // uniform z₀: drawn from "solve-curves-z0"
        let result = try Self.train(c, solveCurves: Self.settings)
        let x = try Self.batch(c, images: 5)
        var full = TestData.shortAMD()
        full.record = .full
        for curve in result.solveCurves {
            let decoder = try Self.decoder(c, after: curve.iteration)
            var encoder = try LatentEncoder<DecoderObjective<Float>>(.amd(full))
            var objective = DecoderObjective(decoder: decoder, maxBatch: 5)
            var rng = RNG(seed: c.seed, stream: "solve-curves-z0")
            let z0 = encoder.initialPoint(rows: 5, dim: c.latentDim, rng: &rng)
            let encoding = try encoder.encode(objective: &objective, x: x, z0: z0, rng: &rng)
            guard case .amd(let trajectory)? = encoding.trajectory, trajectory.groups.count == 1 else {
                Issue.record("no AMD trajectory of one group")
                return
            }
            let group = trajectory.groups[0]
            #expect(curve.times == group.times && curve.times.first == 0 && curve.times.count > 3)
            Self.expectClose(curve.meanLoss, group.states.map { Self.meanLoss(decoder, z: $0, x: x) },
                             "iteration \(curve.iteration)")
        }
    }

    @Test func oneStepCurveHasTheStartAndTheStep() throws {
        let c = Self.config(.oneStep(OneStepSettings(eta: 0.5)))
        let result = try Self.train(c, solveCurves: SolveCurveSettings(iterations: [1], images: 5))
        let curve = try #require(result.solveCurves.first)
        #expect(curve.times == [0, 0.5])
        let decoder = try Self.decoder(c, after: 1)
        let x = try Self.batch(c, images: 5)
        // z* = 0 − η∇L(0), with ∇L from a pass of its own.
        var objective = DecoderObjective(decoder: decoder, maxBatch: 5)
        let zero = Matrix<Float>(rows: 5, cols: c.latentDim)
        var loss = [Float](), gradient = Matrix<Float>(rows: 5, cols: c.latentDim)
        objective.lossAndGradient(z: zero, x: x, loss: &loss, gradient: &gradient)
        let step = Matrix<Float>(rows: 5, cols: c.latentDim, storage: gradient.storage.map { -0.5 * $0 })
        Self.expectClose(curve.meanLoss, [Self.meanLoss(decoder, z: zero, x: x), Self.meanLoss(decoder, z: step, x: x)],
                         "one-step curve")
    }

    /// Every image its own clock (`sample` step control): the mean at each time of the loss each image had
    /// reached by then.
    @Test func groupsOfTheirOwnClockAreMergedByTime() {
        let a = GroupStatistics(rowStart: 0, rowCount: 1, acceptedTimes: [0, 1, 3], meanLossTrajectory: [4, 2, 1])
        let b = GroupStatistics(rowStart: 1, rowCount: 1, acceptedTimes: [0, 2], meanLossTrajectory: [6, 3])
        let merged = SolveCurveRecorder.merged([a, b])
        #expect(merged.times == [0, 1, 2, 3])
        #expect(merged.meanLoss == [5, 4, 2.5, 2])
    }

    /// Logarithmic t for the default log grid (t = 0 then drops out); linear for one-step's t = 0, η and
    /// for short grids.
    @Test func figureTimeAxisFollowsTheTimes() {
        func curve(_ t: [Double]) -> SolveCurveFigureWriter.StoredCurve {
            .init(iteration: 0, images: 1, t: t, meanLoss: t.map { _ in 0.5 })
        }
        #expect(SolveCurveFigureWriter.timeScale([curve(FixedGridSettings().times)]) == .logarithmic)
        #expect(SolveCurveFigureWriter.timeScale([curve([0, 1])]) == .linear)
        var short = FixedGridSettings()
        short.points = 5
        short.tau = 200
        #expect(SolveCurveFigureWriter.timeScale([curve(short.times)]) == .linear)
    }

    @Test(arguments: ["fixedGrid", "amd"])
    func trainingIsTheSameWithOrWithoutSolveCurves(encoder: String) throws {
        let c = Self.config(encoder == "amd" ? .amd(TestData.shortAMD()) : Self.fixedGrid(.nesterov))
        let plain = try Self.train(c, solveCurves: nil)
        let recorded = try Self.train(c, solveCurves: Self.settings)
        #expect(plain.solveCurves.isEmpty && recorded.solveCurves.count == 3)
        // Compared before #expect, which would otherwise describe 700,000 parameters.
        let sameModel = plain.model == recorded.model
        let sameOptimiser = plain.optimiserStates == recorded.optimiserStates
        #expect(sameModel && sameOptimiser)
        #expect(plain.iterations.map(\.loss) == recorded.iterations.map(\.loss))
        #expect(plain.iterations.map(\.solve) == recorded.iterations.map(\.solve))
    }

    @Test func runsThatCannotRecordCurvesFail() throws {
        // A budget in epochs is checked once the pool is known: 40 images in batches of 4 is 10 iterations.
        var c = Self.config(Self.fixedGrid(.gradientFlow))
        c.budget = .epochs(1)
        let beyond = #expect(throws: GFEError.self) {
            try Self.train(c, solveCurves: SolveCurveSettings(iterations: [0, 11], images: 2))
        }
        #expect(beyond?.message.contains("iteration 11 is beyond the budget, which ends after 10 iterations") == true,
                "\(beyond?.message ?? "")")
        var ae = TrainingConfig(method: .ae)
        ae.budget = .iterations(1)
        ae.data = c.data
        let noSolver = #expect(throws: GFEError.self) { try Self.train(ae, solveCurves: Self.settings) }
        #expect(noSolver?.message.contains("need a GFE run") == true, "\(noSolver?.message ?? "")")
    }
}
