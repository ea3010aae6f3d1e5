import GFECore
import GFETraining
import Testing

@testable import GFEExperiments

@Suite("Sweep expansion")
struct SweepTests {
    /// "path=value …" for each point, built from the resolved configs (not from the sweep's own labels).
    func points(_ e: ResolvedExperiment, _ paths: [String]) -> [String] {
        e.points.map { p in
            paths.map { path in
                "\(path)=\(try! ConfigPath(parsing: path, what: "test").value(in: p.resolved)!.shortText)"
            }
            .joined(separator: " ")
        }
    }

    @Test func noSweepIsOneRun() throws {
        let e = try ExperimentFixtures.resolve(#"{"base": {"batchSize": 20}}"#)
        #expect(e.points.count == 1)
        #expect(e.points[0].config.batchSize == 20)
        #expect(e.points[0].label == "(no swept fields)")
    }

    @Test func cartesianProductFirstAxisSlowestSeedsFastest() throws {
        let e = try ExperimentFixtures.resolve(
            """
            {"seeds": [7, 8], "sweep": {"axes": {"method": ["gfe", "ae"], "batchSize": [16, 20, 32]}}}
            """)
        #expect(e.points.count == 12)
        let expected = ["gfe", "ae"].flatMap { m in
            [16, 20, 32].flatMap { b in [7, 8].map { s in "method=\(m) batchSize=\(b) seed=\(s)" } }
        }
        #expect(points(e, ["method", "batchSize", "seed"]) == expected)
        #expect(e.points.map(\.index) == Array(0..<12))
        #expect(e.points[5].label == "method=gfe batchSize=32 seed=8")
    }

    @Test func zippedFieldsChangeTogether() throws {
        let e = try ExperimentFixtures.resolve(
            """
            {"sweep": {"zip": [{"method": ["ae", "gfe"], "budget.epochs": [12, 1]}], "axes": {"batchSize": [16, 20]}}}
            """)
        // Axes come first (in file order), then zip groups: batchSize varies slowest.
        #expect(
            points(e, ["batchSize", "method", "budget.epochs"])
                == [
                    "batchSize=16 method=ae budget.epochs=12", "batchSize=16 method=gfe budget.epochs=1",
                    "batchSize=20 method=ae budget.epochs=12", "batchSize=20 method=gfe budget.epochs=1"
                ])
    }

    @Test func valuesRememberWhereTheyWereWritten() throws {
        let e = try ExperimentFixtures.resolve(#"{"seeds": [1, 2], "sweep": {"axes": {"encoder.tau": [50, 60]}}}"#)
        #expect(e.points[3].values.map(\.location) == [#"$.sweep.axes["encoder.tau"][1]"#, "$.seeds[1]"])
    }

    @Test func sweptObjectsReplaceWholeFields() throws {
        let e = try ExperimentFixtures.resolve(
            """
            {"sweep": {"axes": {"encoder": [{"method": "amd", "preset": "paper"}, {"method": "fixedGrid", "points": 5}]}}}
            """)
        guard case .amd(let amd) = e.points[0].config.encoder, case .fixedGrid(let grid) = e.points[1].config.encoder
        else {
            Issue.record("wrong encoders")
            return
        }
        #expect(amd.beta == 0.75 && amd.maxReductions == 48)  // SPEC §4.1 paper preset
        #expect(grid.points == 5)
    }

    @Test func encoderWithoutMethodIsTheDefaultAMD() throws {
        let e = try ExperimentFixtures.resolve(#"{"sweep": {"axes": {"encoder.beta": [0.5, 0.6]}}}"#)
        guard case .amd(let s) = e.points[1].config.encoder else {
            Issue.record("not AMD")
            return
        }
        #expect(s.beta == 0.6 && s.maxReductions == 20 && s.initialPoint == .uniform)  // official preset otherwise
    }

    @Test func overridesApplyAfterTheSweepAndFixSweptFields() throws {
        let spec = #"{"seeds": [1, 2, 3], "sweep": {"axes": {"method": ["gfe", "ae"]}}, "base": {"batchSize": 16}}"#
        let e = try ExperimentFixtures.resolve(spec, overrides: ["seed=9", "batchSize=4"])
        #expect(
            points(e, ["method", "seed", "batchSize"]) == [
                "method=gfe seed=9 batchSize=4", "method=ae seed=9 batchSize=4"
            ])
        #expect(e.sweep.paths.map(\.description) == ["method"])
        // An override inside swept objects applies to each of them.
        let f = try ExperimentFixtures.resolve(
            #"{"sweep": {"axes": {"encoder": [{"method": "amd"}, {"method": "fixedGrid"}]}}}"#,
            overrides: ["encoder.tau=77"])
        #expect(
            points(f, ["encoder.method", "encoder.tau"]) == [
                "encoder.method=amd encoder.tau=77",
                "encoder.method=fixedGrid encoder.tau=77"
            ])
    }

    @Test func overrideValuesAreJSONOrPlainWords() throws {
        let o = try ConfigOverride.parse([
            "encoder.preset=paper", "checkpoints.imagesSeen=[16, 32]", "encoder.tau=1e3",
            "data.dataset=\"mnist\""
        ])
        #expect(
            o.map(\.value) == [
                .string("paper"), .array([JSONValue(16), JSONValue(32)]), JSONValue(1000), .string("mnist")
            ])
    }

    @Test func tooManyPointsAreRejected() {
        let values = (0..<400).map(String.init).joined(separator: ",")
        let message = ExperimentFixtures.specError(
            "{\"sweep\": {\"axes\": {\"seed\": [\(values)], \"latentDim\": [\(values)]}}}")
        #expect(message?.contains("160,000 points") == true, "\(message ?? "accepted")")
    }
}

@Suite("Sweep labels")
struct SweepLabelTests {
    @Test func labelsNameEachStepAndDefaultsUseTheFieldsOwnName() throws {
        let e = try ExperimentFixtures.resolve(
            """
            {"sweep": {"axes": {"encoder": [{"method": "fixedGrid", "dynamics": "nesterov"}, {"method": "amd"}],
                                "optimiser.lr": [0.001, 0.002]},
                       "zip": [{"method": ["ae", "gfe"], "batchSize": [16, 20]}],
                       "labels": {"batchSize": ["AE", "GFE-amd"]}},
             "seeds": [1, 2]}
            """)
        let d = e.sweep.dimensions
        #expect(
            d[0].label(0) == "encoder: method=fixedGrid, dynamics=nesterov" && d[0].label(1) == "encoder: method=amd")
        #expect(d[1].label(1) == "lr=0.002")
        // A zip group is labelled under any one of its fields.
        #expect(d[2].labels == ["AE", "GFE-amd"] && d[2].label(1) == "GFE-amd")
        #expect(d[3].label(0) == "seed=1")
        // Each point finds its step in every dimension.
        let last = try #require(e.points.last)
        #expect(d.map { $0.stepIndex(in: last.values) } == [1, 1, 1, 1])
    }

    @Test func labelsChangeNoRunID() throws {
        let plain = try ExperimentFixtures.plan(#"{"sweep": {"axes": {"method": ["ae", "gfe"]}}}"#)
        let named = try ExperimentFixtures.plan(
            #"{"sweep": {"axes": {"method": ["ae", "gfe"]}, "labels": {"method": ["AE", "GFE-amd"]}}}"#)
        #expect(plain.runs.map(\.id) == named.runs.map(\.id))
    }

    @Test(
        "Bad labels are rejected with where and why",
        arguments: [
            (#""labels": {"batchSize": ["a", "b"]}"#, "'batchSize' is not swept"),
            (#""labels": {"method": ["AE"]}"#, "an array of 2 non-empty names"),
            (#""labels": {"method": ["AE", " "]}"#, "an array of 2 non-empty names"),
            (#""labels": {"method": ["AE", 3]}"#, "an array of 2 non-empty names"),
            (#""labels": {"method": ["AE", "AE"]}"#, "repeats"),
            (#""labels": ["AE", "GFE"]"#, "an object mapping swept field paths")
        ])
    func badLabels(_ labels: String, _ message: String) {
        let error = ExperimentFixtures.specError(#"{"sweep": {"axes": {"method": ["ae", "gfe"]}, "# + labels + "}}")
        #expect(error?.contains("$.sweep.labels") == true && error?.contains(message) == true, "\(error ?? "accepted")")
    }

    @Test func aZipGroupIsLabelledOnce() {
        let error = ExperimentFixtures.specError(
            #"{"sweep": {"zip": [{"method": ["ae", "gfe"], "batchSize": [16, 20]}], "labels": {"method": ["a", "b"], "batchSize": ["c", "d"]}}}"#
        )
        #expect(error?.contains("changes together with 'method'") == true, "\(error ?? "accepted")")
    }

    @Test func aTableColumnLabelMustNotBeEmpty() {
        let error = ExperimentFixtures.specError(
            #"{"sweep": {"axes": {"method": ["ae", "gfe"]}}, "table": {"index": "images_seen", "columns": [{"name": "ae", "label": "", "where": {"method": "ae"}, "metric": "test_loss_ae"}]}}"#
        )
        #expect(error?.contains("label") == true && error?.contains("is empty") == true, "\(error ?? "accepted")")
    }
}
