import GFECore
import GFEData
import GFESolvers
import Testing

@testable import GFETraining

/// Tiny training runs on real MNIST images: the loss falls, runs are deterministic, and one trajectory's
/// checkpoints equal separate shorter runs.
@Suite struct TrainingTests {
    static func config(_ method: TrainingConfig.Method, seed: UInt64 = 2020, iterations: Int = 6) -> TrainingConfig {
        var c = TrainingConfig(method: method)
        c.encoder = .amd(TestData.shortAMD())
        c.budget = .iterations(iterations)
        c.seed = seed
        c.data = DataSettings(dataset: .mnist, trainLimit: 300, testLimit: 24)
        return c
    }

    static func train(_ c: TrainingConfig, progress: ((TrainingProgress) -> Void)? = nil) throws -> TrainingResult {
        try Trainer.run(c, data: try TrainingData.cut(try TestData.mnist(), c), progress: progress)
    }

    static func mean(_ r: TrainingResult, _ range: Range<Int>) -> Double {
        r.iterations[range].map(\.loss).reduce(0, +) / Double(range.count)
    }

    /// Everything a run's numbers are made of, for bitwise comparisons.
    static func numbers(_ r: TrainingResult) -> [Double] {
        r.iterations.map(\.loss) + r.validation.map(\.loss) + r.model.decoder.parameters.map(Double.init)
    }

    @Test(arguments: [TrainingConfig.Method.gfe, .ae])
    func lossFallsAndRunsAreDeterministic(method: TrainingConfig.Method) throws {
        var c = Self.config(method)
        c.validation = ValidationSettings(every: 2)
        var seen: [Int] = []
        // Each iteration reports once; evaluations report around it (with their stage, then without).
        let a = try Self.train(c) { p in
            if p.evaluation == nil && p.iteration > 0 && seen.last != p.imagesSeen { seen.append(p.imagesSeen) }
        }
        #expect(seen == [16, 32, 48, 64, 80, 96])
        #expect(a.iterations.map(\.iteration) == Array(1...6))
        #expect(a.iterations.map(\.imagesSeen) == seen)
        #expect(a.iterations.allSatisfy { $0.loss.isFinite && $0.loss > 0 })
        #expect(zip(a.iterations, a.iterations.dropFirst()).allSatisfy { $0.wallSeconds <= $1.wallSeconds })
        #expect(
            Self.mean(a, 4..<6) < Self.mean(a, 0..<2) - 0.01,
            "losses \(a.iterations.map(\.loss)) should fall")
        #expect(a.validation.map(\.iteration) == [0, 2, 4, 6])
        #expect(a.validation.last!.loss < a.validation.first!.loss)
        if method == .gfe {
            #expect(a.iterations.allSatisfy { ($0.solve?.accepted ?? 0) > 0 && $0.solve?.groups == 1 })
            #expect(a.validation.allSatisfy { $0.solve != nil })
        } else {
            let hasEncoder = a.model.encoder != nil
            #expect(a.iterations.allSatisfy { $0.solve == nil } && hasEncoder)
        }
        let states = a.optimiserStates.map { "\($0.kind) \($0.step)" }
        #expect(states == Array(repeating: "rmsprop 6", count: method == .gfe ? 1 : 2))

        // Large values are compared before #expect, which would otherwise describe 700,000 parameters.
        let again = try Self.train(c)
        let sameNumbers = Self.numbers(again) == Self.numbers(a)
        let sameModel = again.model == a.model
        #expect(sameNumbers && sameModel)
        var other = Self.config(method, seed: 2021, iterations: 3)
        other.validation = nil
        let different = try Self.train(other)
        #expect(different.iterations.map(\.loss) != a.iterations.prefix(3).map(\.loss))
        let differentParameters = different.model.decoder.parameters != a.model.decoder.parameters
        #expect(differentParameters)
    }

    /// One 4-iteration trajectory with checkpoints after 2 and 3 iterations gives the models and the
    /// evaluations of separate 2- and 3-iteration runs.
    @Test(arguments: [TrainingConfig.Method.gfe, .ae])
    func checkpointsEqualSeparateShorterRuns(method: TrainingConfig.Method) throws {
        var long = Self.config(method, seed: 7, iterations: 4)
        long.checkpoints = CheckpointPlan(imagesSeen: [32, 40])  // 40 is reached after 3 iterations (48)
        // Values holding models are reduced to small ones before #expect, which describes its operands.
        let trajectory = try Self.train(long)
        let snapshotIterations = trajectory.checkpoints.map(\.iteration)
        let imagesSeen = trajectory.checkpoints.map(\.imagesSeen)
        let requested = trajectory.checkpoints.map(\.requestedImagesSeen)
        #expect(snapshotIterations == [2, 3] && imagesSeen == [32, 48] && requested == [32, 40])
        let kinds: [EvaluationKind] = method == .gfe ? [.gfe] : [.ae, .aeDecoderAMD]
        for (checkpoint, iterations) in zip(trajectory.checkpoints, [2, 3]) {
            let evaluated = checkpoint.evaluations.map(\.kind)
            #expect(evaluated == kinds)
            var short = Self.config(method, seed: 7, iterations: iterations)
            short.checkpoints = CheckpointPlan(atEnd: true)
            let separate = try Self.train(short)
            let count = separate.checkpoints.count
            #expect(count == 1)
            let end = separate.checkpoints[0]
            let endsAtTheEnd = end.requestedImagesSeen == nil && end.iteration == iterations
            #expect(endsAtTheEnd)
            let sameModels = end.model == checkpoint.model && separate.model == checkpoint.model
            #expect(sameModels, "model after \(iterations) iterations")
            for (a, b) in zip(end.evaluations, checkpoint.evaluations) {
                #expect(a.kind == b.kind)
                #expect(a.sampleLoss == b.sampleLoss, "\(String(describing: a.kind)) after \(iterations) iterations")
                #expect(a.z.storage == b.z.storage)
                #expect(a.statistics == b.statistics)
                #expect(a.count == 24 && a.meanLoss.isFinite)
            }
        }
    }

    @Test func checkpointBeyondTheBudgetIsBadInput() throws {
        var c = Self.config(.ae, iterations: 2)
        c.checkpoints = CheckpointPlan(imagesSeen: [48])
        #expect {
            try Self.train(c)
        } throws: { error in
            (error as? GFEError)?.exitCode == 2 && "\(error)".contains("beyond the budget")
        }
    }

    /// A learning rate far too large drives the parameters to ±∞: the run stops with exit code 1 before the
    /// bad update and keeps what it recorded. (Caught by hand: #expect(throws:) would describe the whole
    /// partial result.)
    @Test func nonFiniteLossStopsTheRun() throws {
        var c = Self.config(.ae, iterations: 6)
        c.optimiser.learningRate = 1e30
        var failure: TrainingFailure?
        do { _ = try Self.train(c) } catch let f as TrainingFailure { failure = f }
        let f = try #require(failure)
        let recorded = f.partial.iterations.count
        let finiteRecords = f.partial.iterations.allSatisfy(\.loss.isFinite)
        let finiteModel = f.partial.model.decoder.parameters.allSatisfy(\.isFinite)
        #expect(f.exitCode == 1 && f.message.contains("not finite"), "\(f.message)")
        #expect(recorded < 6 && finiteRecords && finiteModel)
    }
}

/// What training reports while it runs (`gfe run`'s display and ETA): every evaluation's start, progress
/// and end under its label, and the evaluation work planned equal to the work done.
@Suite struct TrainingProgressTests {
    @Test func evaluationsAreReportedAndPlanned() throws {
        var c = TrainingTests.config(.gfe, iterations: 6)
        c.validation = ValidationSettings(every: 3, atStart: true)
        c.checkpoints = CheckpointPlan(imagesSeen: [32], atEnd: true)
        var events: [TrainingProgress] = []
        _ = try TrainingTests.train(c) { events.append($0) }
        let last = try #require(events.last)
        // Validations at 0, 3, 6 (8 images each); checkpoints after 32 images and at the end (24 test images).
        #expect(last.evaluationImagesPlanned == 3 * 8 + 2 * 24)
        #expect(last.evaluationImagesDone == last.evaluationImagesPlanned)
        #expect(last.evaluation == nil && last.iteration == 6 && last.trainingSeconds > 0)
        #expect(last.evaluationSeconds > 0)
        let labels = events.compactMap { $0.evaluation?.label }
        #expect(Set(labels) == ["validation", "checkpoint 1/2: gfe", "checkpoint 2/2: gfe"])
        for label in Set(labels) {
            let stages = events.compactMap { $0.evaluation }.filter { $0.label == label }
            #expect(stages.first?.done == 0)
            // Images done never fall within one evaluation and never pass its total.
            #expect(stages.allSatisfy { $0.done <= $0.total })
        }
        let checkpoint = events.firstIndex { $0.evaluation?.label == "checkpoint 1/2: gfe" }!
        #expect(events[checkpoint].iteration == 2 && events[checkpoint].evaluation?.total == 24)
        // Each evaluation ends with a report without a stage before training goes on.
        #expect(events[events.index(after: checkpoint)...].contains { $0.evaluation == nil })
    }
}
