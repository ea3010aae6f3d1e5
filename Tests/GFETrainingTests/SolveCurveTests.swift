import GFECore
import GFEData
import GFESolvers
import Testing

@testable import GFETraining

/// Solve curves (`outputs.solveCurves`, paper figure 1) in training: the curves against an independent
/// re-encoding of the same batch, and training that is bit for bit the same with or without them. The spec
/// field's reader: GFEExperimentsTests/SolveCurveSpecTests.swift.
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
        guard iterations > 0 else {
            return MLP(architecture: .decoder(latent: c.latentDim), seed: c.seed, stream: "init")
        }
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

    static func expectClose(
        _ a: [Double], _ b: [Double], _ what: String, sourceLocation: SourceLocation = #_sourceLocation
    ) {
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
            Self.expectClose(
                curve.meanLoss, trajectory.z.map { Self.meanLoss(decoder, z: $0, x: x) },
                "iteration \(curve.iteration)")
        }
        // Training moved the curves: the loss at the end of the solve falls from iteration 0 to 3.
        #expect(result.solveCurves[2].meanLoss.last! < result.solveCurves[0].meanLoss.last!)
    }

    @Test func amdCurvesStartFromTheirOwnStreamAndEqualAnIndependentEncoding() throws {
        let c = Self.config(.amd(TestData.shortAMD()))  // uniform z₀: drawn from "solve-curves-z0"
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
            Self.expectClose(
                curve.meanLoss, group.states.map { Self.meanLoss(decoder, z: $0, x: x) },
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
        var loss = [Float]()
        var gradient = Matrix<Float>(rows: 5, cols: c.latentDim)
        objective.lossAndGradient(z: zero, x: x, loss: &loss, gradient: &gradient)
        let step = Matrix<Float>(rows: 5, cols: c.latentDim, storage: gradient.storage.map { -0.5 * $0 })
        Self.expectClose(
            curve.meanLoss, [Self.meanLoss(decoder, z: zero, x: x), Self.meanLoss(decoder, z: step, x: x)],
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
        #expect(
            beyond?.message.contains("iteration 11 is beyond the budget, which ends after 10 iterations") == true,
            "\(beyond?.message ?? "")")
        var ae = TrainingConfig(method: .ae)
        ae.budget = .iterations(1)
        ae.data = c.data
        let noSolver = #expect(throws: GFEError.self) { try Self.train(ae, solveCurves: Self.settings) }
        #expect(noSolver?.message.contains("need a GFE run") == true, "\(noSolver?.message ?? "")")
    }
}
