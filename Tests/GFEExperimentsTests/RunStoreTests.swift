import Foundation
import GFECore
import GFEStore
import GFETraining
import Testing

@testable import GFEExperiments

@Suite("Run store", .serialized)
struct RunStoreTests {
    func makeStore() throws -> RunStore {
        RunStore(root: try ExperimentFixtures.temporaryFolder("store"), experiment: "exp")
    }

    func fm() -> FileManager { FileManager.default }

    @Test func stateFollowsTheLockAndTheRunFolder() throws {
        let store = try makeStore()
        defer { try? FileManager.default.removeItem(atPath: store.root) }
        let id = "0123456789ab"
        #expect(store.state(of: id).summary == "not started")
        let lock = try #require(try store.claim(id))
        #expect(store.state(of: id).isRunning)
        #expect(try store.claim(id) == nil)  // a second claimant is refused while the lock is held
        let partial = store.partialFolder(id)
        try fm().createDirectory(atPath: partial, withIntermediateDirectories: true)
        #expect(store.state(of: id).summary.hasPrefix("running (\(Provenance.hostName) pid \(getpid())"))
        lock.release()
        // The holder is gone and only its partial folder remains: not a run.
        #expect(store.state(of: id).summary == "not started")
        #expect(!fm().fileExists(atPath: store.runFolder(id)))
    }

    @Test func claimRemovesWhatDeadProcessesLeft() throws {
        let store = try makeStore()
        defer { try? FileManager.default.removeItem(atPath: store.root) }
        let id = "aaaaaaaaaaaa"
        try store.prepare()
        let stale = store.folder + "/.\(id).partial-otherhost-99999"
        try fm().createDirectory(atPath: stale, withIntermediateDirectories: true)
        let other = store.folder + "/.bbbbbbbbbbbb.partial-otherhost-99999"
        try fm().createDirectory(atPath: other, withIntermediateDirectories: true)
        let lock = try #require(try store.claim(id))
        #expect(!fm().fileExists(atPath: stale))
        #expect(fm().fileExists(atPath: other))  // another run's folder is left to its own claimant
        lock.release()
        store.removeStalePartials()
        #expect(!fm().fileExists(atPath: other))
    }

    @Test func commitReplacesAndRecoversAnInterruptedReplacement() throws {
        let store = try makeStore()
        defer { try? FileManager.default.removeItem(atPath: store.root) }
        let id = "cccccccccccc"
        try store.prepare()
        for content in ["first", "second"] {
            let lock = try #require(try store.claim(id))
            let partial = store.partialFolder(id)
            try fm().createDirectory(atPath: partial, withIntermediateDirectories: true)
            try AtomicFile.write(content, to: partial + "/x")
            try store.commit(partial: partial, id: id)
            lock.release()
            #expect(String(decoding: fm().contents(atPath: store.runFolder(id) + "/x")!, as: UTF8.self) == content)
        }
        // A replacement killed between its two renames leaves the old run aside: the next claim restores it.
        let aside = store.folder + "/.\(id).old-12345"
        #expect(rename(store.runFolder(id), aside) == 0)
        let lock = try #require(try store.claim(id))
        lock.release()
        #expect(fm().fileExists(atPath: store.runFolder(id) + "/x"))
        #expect(!fm().fileExists(atPath: aside))
        let entries = try fm().contentsOfDirectory(atPath: store.folder).filter { $0.hasPrefix(".") && $0 != ".locks" }
        #expect(entries.isEmpty)
    }

    static let tinySpec = """
        {"name": "exp", "outputs": {"models": "none"}, "base": {"method": "ae", "batchSize": 16, "budget": {"iterations": 2},
         "data": {"trainLimit": 32, "testLimit": 16}, "checkpoints": {"imagesSeen": [32], "evaluations": ["ae"]}}}
        """

    /// A plan of the tiny spec (or `spec`) with the real data fingerprint (the executor checks it).
    func tinyPlan(_ spec: String = tinySpec) throws -> ExperimentPlan {
        let fingerprints = DataFingerprints(cacheFile: nil, writable: false)
        return try ExperimentPlan(
            try ExperimentFixtures.resolve(spec),
            identity: RunIdentityContext(codeVersion: "test", fingerprint: fingerprints.provider))
    }

    @Test func failedTrainingIsStoredWithItsReason() throws {
        let store = try makeStore()
        defer { try? FileManager.default.removeItem(atPath: store.root) }
        let plan = try tinyPlan()
        let env = RunEnvironment(resultsRoot: store.root, code: CodeVersion(id: "test", toolVersion: "0"))
        var events: [RunEvent] = []
        let outcome = try RunExecutor.execute(
            plan.runs[0], environment: env, force: false,
            train: { _, _, _, _, _ in throw GFEError.runFailure("the test's trainer failed") },
            events: { events.append($0) })
        #expect(outcome.status == .failed)
        #expect(outcome.reason == "the test's trainer failed")
        guard case .failed(let record) = store.state(of: plan.runs[0].id) else {
            Issue.record("not failed")
            return
        }
        #expect(record.reason == "the test's trainer failed")
        #expect(record.runId == plan.runs[0].id)
        #expect(events.first == .started(index: 0, runId: plan.runs[0].id))
        #expect(events.last == .done(outcome))
        #expect(try CSV.read(store.runFolder(plan.runs[0].id) + "/curves.csv").rows.isEmpty)
    }

    /// A run that errored is retried by the next execution; one that diverged is kept (the same inputs
    /// diverge again) until forced.
    @Test func divergedRunIsKeptAndErroredRunRetried() throws {
        let store = try makeStore()
        defer { try? FileManager.default.removeItem(atPath: store.root) }
        let plan = try tinyPlan()
        let run = plan.runs[0]
        let env = RunEnvironment(resultsRoot: store.root, code: CodeVersion(id: "test", toolVersion: "0"))
        let calls = CallCount()
        let errs: RunExecutor.Training = { _, _, _, _, _ in
            calls.add()
            throw GFEError.runFailure("the disk is full (test)")
        }
        _ = try RunExecutor.execute(run, environment: env, force: false, train: errs, events: { _ in })
        #expect(store.state(of: run.id).divergedRecord == nil)
        let retried = try RunExecutor.execute(
            run, environment: env, force: false, train: errs, events: { _ in })
        #expect(retried.status == .failed && calls.value == 2)

        let diverges: RunExecutor.Training = { c, d, r, s, p in
            calls.add()
            throw TrainingFailure(message: "diverged (test)", partial: try RunExecutor.defaultTraining(c, d, r, s, p))
        }
        let first = try RunExecutor.execute(
            run, environment: env, force: false, train: diverges, events: { _ in })
        #expect(first.status == .failed && first.reason == "diverged (test)" && calls.value == 3)
        let record = try #require(store.state(of: run.id).divergedRecord)
        #expect(record.reason == "diverged (test)" && record.iterations == 2)
        var events: [RunEvent] = []
        let kept = try RunExecutor.execute(
            run, environment: env, force: false, train: diverges,
            events: { events.append($0) })
        #expect(kept.status == .failed && calls.value == 3, "recomputed a diverged run")
        #expect(kept.reason == RunExecutor.keptReason(record) && kept.reason?.hasSuffix("diverged (test)") == true)
        #expect(events == [.done(kept)])
        let forced = try RunExecutor.execute(
            run, environment: env, force: true, train: diverges, events: { _ in })
        #expect(forced.status == .failed && forced.reason == "diverged (test)" && calls.value == 4)
    }

    @Test func finishedRunIsStoredAndThenSkipped() throws {
        let store = try makeStore()
        defer { try? FileManager.default.removeItem(atPath: store.root) }
        let plan = try tinyPlan()
        let run = plan.runs[0]
        let env = RunEnvironment(resultsRoot: store.root, code: CodeVersion(id: "test", toolVersion: "0"))
        let outcome = try RunExecutor.execute(run, environment: env, force: false, events: { _ in })
        #expect(outcome.status == .finished, "\(outcome.reason ?? "")")
        guard case .finished(let record) = store.state(of: run.id) else {
            Issue.record("not finished")
            return
        }
        #expect(record.iterations == 2 && record.imagesSeen == 32)
        #expect(record.config == run.point.resolved)
        let loss = try #require(record.checkpoints.first?.metrics["test_loss_ae"])
        // curves.csv and run.h5 hold the same test loss as run.json.
        let curves = try CSV.read(store.runFolder(run.id) + "/curves.csv")
        #expect(curves.header == ["run", "iteration", "images_seen", "wall_s", "metric", "value"])
        let row = try #require(curves.rows.first { $0[4] == "test_loss_ae" })
        #expect(Double(row[5]) == loss && row[0] == run.id && row[2] == "32")
        #expect(curves.rows.filter { $0[4] == "train_loss" }.map { $0[1] } == ["1", "2"])
        let stored = try HDF5File.read(store.runFolder(run.id) + "/run.h5") { f in
            try f.doubleAttribute("mean_loss", of: "checkpoints/000/ae")
        }
        #expect(stored == loss)
        let again = try RunExecutor.execute(run, environment: env, force: false, events: { _ in })
        #expect(again.status == .skipped)
    }

    @Test func finalModelIsStoredWithItsOptimiserStates() throws {
        let store = try makeStore()
        defer { try? FileManager.default.removeItem(atPath: store.root) }
        let plan = try tinyPlan(
            """
            {"name": "exp", "outputs": {"models": "final"}, "base": {"method": "ae", "batchSize": 16, "budget": {"iterations": 2},
             "optimiser": {"method": "adam", "lr": 1e-3}, "data": {"trainLimit": 32, "testLimit": 16}}}
            """)
        let run = plan.runs[0]
        let env = RunEnvironment(resultsRoot: store.root, code: CodeVersion(id: "test", toolVersion: "0"))
        let trained = ResultBox()
        let outcome = try RunExecutor.execute(
            run, environment: env, force: false,
            train: { c, d, r, s, p in
                let result = try RunExecutor.defaultTraining(c, d, r, s, p)
                trained.set(result)
                return result
            }, events: { _ in })
        #expect(outcome.status == .finished, "\(outcome.reason ?? "")")
        let result = try #require(trained.get())
        #expect(result.optimiserStates.map { "\($0.kind) \($0.step)" } == ["adam 2", "adam 2"])

        let path = store.runFolder(run.id) + "/run.h5"
        let states = try CheckpointModels.loadOptimiserStates(.ae, path: path, group: "model")
        let sameStates = states == result.optimiserStates  // compared before #expect: 2 × 2 buffers of ~700,000
        #expect(sameStates)
        let model = try CheckpointModels.load(.ae, path: path, group: "model")
        let sameModel = model == result.model
        #expect(sameModel)
        try HDF5File.read(path) { f throws in
            #expect(try f.stringAttribute("kind", of: "model/decoder_optimiser") == "adam")
            #expect(try f.int64Attribute("step", of: "model/encoder_optimiser") == 2)
            #expect(try f.doubleAttribute("lr", of: "model/decoder_optimiser") == 1e-3)
            #expect(try f.datasetInfo("model/decoder_optimiser/exp_avg/decoder.0.weight").shape == [150, 20])
            #expect(try f.datasetInfo("model/encoder_optimiser/exp_avg_sq/encoder.0.weight").shape == [600, 784])
        }
    }
}

/// Holds what the training closure of a test produced (the closure must be Sendable).
final class CallCount: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add() {
        lock.lock()
        count += 1
        lock.unlock()
    }
    var value: Int {
        lock.lock()
        defer { lock.unlock() }
        return count
    }
}

final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var result: TrainingResult?
    func set(_ r: TrainingResult) {
        lock.lock()
        result = r
        lock.unlock()
    }
    func get() -> TrainingResult? {
        lock.lock()
        defer { lock.unlock() }
        return result
    }
}
