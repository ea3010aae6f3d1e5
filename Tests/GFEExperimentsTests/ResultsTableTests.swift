import GFECore
import GFETraining
import Testing

@testable import GFEExperiments

@Suite("Results tables")
struct ResultsTableTests {
    @Test func seedStatisticsByHand() {
        let s = SeedStatistics([0.2, 0.4, 0.6])
        #expect(abs(s.mean! - 0.4) < 1e-15)
        // Σ(x − 0.4)² = 0.04 + 0 + 0.04 = 0.08; / (3 − 1) = 0.04; √ = 0.2
        #expect(abs(s.sd! - 0.2) < 1e-15)
        #expect(SeedStatistics([0.3]).sd == nil)
        #expect(SeedStatistics([]).mean == nil)
    }

    static let spec = """
        {"name": "t", "seeds": [1, 2, 3], "sweep": {"axes": {"method": ["gfe", "ae"]}},
         "base": {"budget": {"iterations": 4}, "batchSize": 16, "data": {"trainLimit": 64},
                  "checkpoints": {"imagesSeen": [32, 64]}}}
        """

    /// A finished record of `run` with `metric` = value at each checkpoint.
    func record(_ run: PlannedRun, _ values: [(seen: Int, metric: String, value: Double)]) -> RunRecord {
        let checkpoints = Dictionary(grouping: values, by: \.seen).keys.sorted().map { seen in
            CheckpointSummary(
                iteration: seen / 16, imagesSeen: seen, requestedImagesSeen: seen,
                metrics: Dictionary(
                    uniqueKeysWithValues: values.filter { $0.seen == seen }.map { ($0.metric, $0.value) }))
        }
        return RunRecord(
            status: .finished, reason: nil, experiment: "t", runId: run.id, index: run.index, label: run.label,
            swept: JSONObject(), config: run.point.resolved, outputs: .null, dataset: "mnist", dataFingerprint: "fp",
            code: CodeVersion(id: "c", toolVersion: "0"), provenance: JSONObject(), startTime: "", endTime: "",
            wallSeconds: 1, trainingSeconds: 1, iterations: 4, imagesSeen: 64, finalTrainLoss: 0.3,
            checkpoints: checkpoints)
    }

    @Test func longTableAveragesSeedsPerPoint() throws {
        let plan = try ExperimentFixtures.plan(Self.spec)
        // Runs 0–2: gfe seeds 1–3; 3–5: ae seeds 1–3. Run 2 unfinished, run 5 failed.
        var records: [Int: RunRecord] = [:]
        records[0] = record(plan.runs[0], [(32, "test_loss_gfe", 0.5), (64, "test_loss_gfe", 0.30)])
        records[1] = record(plan.runs[1], [(32, "test_loss_gfe", 0.7), (64, "test_loss_gfe", 0.34)])
        records[3] = record(plan.runs[3], [(64, "test_loss_ae", 0.25)])
        records[4] = record(plan.runs[4], [(64, "test_loss_ae", 0.35)])
        let t = ResultsTable(plan: plan, records: records, failed: [5]).long()
        #expect(
            t.header == [
                "method", "images_seen", "iteration", "metric", "mean", "sd", "n", "runs_planned", "runs_failed"
            ])
        #expect(t.rows.count == 3)
        // gfe at 32: mean(0.5, 0.7) = 0.6; sd = √(((−0.1)² + 0.1²)/1) = √0.02
        #expect(t.rows[0][0...4] == ["gfe", "32", "2", "test_loss_gfe", "0.6"])
        #expect(abs(Double(t.rows[0][5])! - 0.02.squareRoot()) < 1e-15)
        #expect(t.rows[0][6...8] == ["2", "3", "0"])
        #expect(abs(Double(t.rows[1][4])! - 0.32) < 1e-15)
        #expect(t.rows[2][0...3] == ["ae", "64", "4", "test_loss_ae"])
        #expect(abs(Double(t.rows[2][4])! - 0.30) < 1e-15)
        #expect(t.rows[2][6...8] == ["2", "3", "1"])
    }

    @Test func pivotIsShapedLikeTheReference() throws {
        let spec =
            Self.spec.dropLast() + """
                , "table": {"index": "images_seen", "columns": [
                    {"name": "ae", "where": {"method": "ae"}, "metric": "test_loss_ae"},
                    {"name": "gfe_amd", "where": {"method": "gfe"}, "metric": "test_loss_gfe"}]}}
                """
        let plan = try ExperimentFixtures.plan(String(spec))
        var records: [Int: RunRecord] = [:]
        for (i, v) in [(0, 0.2), (1, 0.4), (2, 0.6)] {
            records[i] = record(plan.runs[i], [(32, "test_loss_gfe", v + 0.1), (64, "test_loss_gfe", v)])
        }
        records[3] = record(plan.runs[3], [(32, "test_loss_ae", 0.9), (64, "test_loss_ae", 0.8)])
        let t = ResultsTable(plan: plan, records: records).table()
        #expect(t.header == ["images_seen", "ae", "ae_sd", "ae_n", "gfe_amd", "gfe_amd_sd", "gfe_amd_n"])
        #expect(t.rows.map { $0[0] } == ["32", "64"])
        #expect(t.rows[1][1...3] == ["0.8", "", "1"])
        #expect(
            abs(Double(t.rows[1][4])! - 0.4) < 1e-15 && abs(Double(t.rows[1][5])! - 0.2) < 1e-15 && t.rows[1][6] == "3")
        #expect(abs(Double(t.rows[0][4])! - 0.5) < 1e-15)
    }

    @Test func pivotBySweptFieldTakesTheLastCheckpoint() throws {
        let plan = try ExperimentFixtures.plan(
            """
            {"sweep": {"axes": {"data.dataset": ["mnist", "fashion_mnist"]},
                       "zip": [{"method": ["ae", "gfe"], "budget.iterations": [8, 4]}]},
             "base": {"batchSize": 16, "data": {"trainLimit": 64}, "checkpoints": {"atEnd": true}},
             "table": {"index": {"path": "data.dataset", "as": "dataset"},
                       "columns": [{"name": "ae", "where": {"method": "ae"}, "metric": "test_loss_ae"},
                                   {"name": "gfe_amd", "where": {"method": "gfe"}, "metric": "test_loss_gfe"}]}}
            """)
        var records: [Int: RunRecord] = [:]
        records[0] = record(plan.runs[0], [(64, "test_loss_ae", 0.9), (128, "test_loss_ae", 0.08)])
        records[1] = record(plan.runs[1], [(64, "test_loss_gfe", 0.07)])
        records[2] = record(plan.runs[2], [(128, "test_loss_ae", 0.27)])
        let t = ResultsTable(plan: plan, records: records).table()
        #expect(t.header == ["dataset", "ae", "gfe_amd"])
        #expect(t.rows == [["mnist", "0.08", "0.07"], ["fashion_mnist", "0.27", ""]])
    }
}
