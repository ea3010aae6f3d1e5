import GFECore
import GFETraining
import Testing

@testable import GFEExperiments

@Suite("Plan outputs: Slurm script, worker protocol, run records")
struct PlanOutputTests {
    @Test func arrayRanges() {
        #expect(SlurmScript.ranges([0, 1, 2, 3, 5, 7, 8, 9]) == "0-3,5,7-9")
        #expect(SlurmScript.ranges([4]) == "4")
        #expect(SlurmScript.ranges([3, 1, 2, 2]) == "1-3")
    }

    @Test func slurmScriptRunsOneIndexPerTask() throws {
        let plan = try ExperimentFixtures.plan(#"{"name": "sw", "seeds": [1, 2, 3]}"#)
        let overrides = try ConfigOverride.parse(["budget.iterations=5", "encoder.preset=paper"])
        let script = SlurmScript(time: "01:00:00", cpusPerTask: 2, parallelTasks: 2)
            .render(
                plan: plan, indices: [0, 2], executable: "/opt/gfe", spec: "/w/exp.json", resultsRoot: "/w/res",
                workingDirectory: "/w dir", overrides: overrides, seeds: "2")
        #expect(script.hasPrefix("#!/bin/bash\n"))
        for line in [
            "#SBATCH --array=0,2%2", "#SBATCH --cpus-per-task=2", "#SBATCH --time=01:00:00",
            // Slurm's own notices appended to one file; each task's output appended to its run's log.
            "#SBATCH --output=/w/res/sw/slurm/launch.out", "#SBATCH --open-mode=append", "cd '/w dir'",
            "run_ids=([0]=\(plan.runs[0].id) [2]=\(plan.runs[2].id))",
            #"  exec >>/w/res/sw/slurm/"$run_id.log" 2>&1"#,
            #"exec /opt/gfe run /w/exp.json --index "$index" --expect-id "$run_id" --results /w/res --threads 2 --progress-every 10 --set budget.iterations=5 --set encoder.preset=paper --seeds 2 "$@""#,
            "# Follow:   gfe status /w/exp.json --results /w/res --set budget.iterations=5 --set encoder.preset=paper --seeds 2"
        ] {
            #expect(script.contains(line + "\n"), "missing: \(line)\n\(script)")
        }
    }

    @Test func squeueLinesAreReadPerArrayTask() {
        let tasks = SlurmCluster.parseTasks(
            """
            12|3|PENDING|Resources|
            12|0|RUNNING|None|node7
            12|1|CANCELLED|None|node7

            garbage
            """)
        #expect(tasks.count == 3)
        #expect(tasks["12_3"] == SlurmCluster.Task(state: "PENDING", reason: "Resources", node: ""))
        #expect(tasks["12_0"]?.isActive == true && tasks["12_3"]?.isActive == true)
        #expect(tasks["12_1"]?.isActive == false)
    }

    @Test func aTaskEndedWithoutResultSaysWhatSlurmAndTheLogSay() {
        let cancelled = SlurmCluster.Task(state: "CANCELLED", reason: "None", node: "n1")
        #expect(
            SlurmFollower.endedWithoutResult(job: "12_1", task: cancelled, log: ["cancelled: SIGTERM from Slurm"])
                == "the Slurm task 12_1 ended without storing a result (CANCELLED); its log ends: cancelled: SIGTERM from Slurm"
        )
        let timeout = SlurmCluster.Task(state: "TIMEOUT", reason: "TimeLimit", node: "n1")
        #expect(
            SlurmFollower.endedWithoutResult(job: "12_2", task: timeout, log: [])
                == "the Slurm task 12_2 ended without storing a result (TIMEOUT: TimeLimit); it wrote no log")
        #expect(
            SlurmFollower.endedWithoutResult(job: "9_0", task: nil, log: []).hasPrefix(
                "the Slurm task 9_0 ended without"))
    }

    @Test func shellQuoting() {
        #expect(shellQuote("plain/path-1.json") == "plain/path-1.json")
        #expect(shellQuote("it's") == #"'it'\''s'"#)
        #expect(shellQuote("") == "''")
    }

    @Test func workerMessagesRoundTrip() throws {
        let events: [RunEvent] = [
            .started(index: 3, runId: "abc"), .phase(index: 3, "training"),
            .progress(
                index: 3,
                TrainingProgress(iteration: 7, totalIterations: 9, imagesSeen: 112, loss: 0.25, imagesPerSecond: 40)),
            .progress(
                index: 3,
                TrainingProgress(
                    iteration: 9, totalIterations: 9, imagesSeen: 144, loss: 0.5, imagesPerSecond: 30,
                    trainingSeconds: 4.5,
                    evaluation: EvaluationStage(label: "checkpoint 2/2: gfe", done: 256, total: 2000, seconds: 1.25),
                    evaluationImagesPlanned: 4016, evaluationImagesDone: 2016, evaluationSeconds: 7.5)),
            .done(RunOutcome(index: 3, runId: "abc", status: .failed, reason: "diverged \"badly\"", wallSeconds: 1.5))
        ]
        for e in events { #expect(WorkerProtocol.decode(WorkerProtocol.encode(e)) == .event(e)) }
        #expect(WorkerProtocol.decode(WorkerProtocol.ready()) == .ready)
        #expect(WorkerProtocol.decode(WorkerProtocol.fatal("x")) == .fatal("x"))
        #expect(WorkerProtocol.decode("plain text") == nil)
    }

    /// A worker gets the planned run itself and checks its id; it never reads the spec.
    @Test func workerTasksCarryTheResolvedRunAndItsCheckedId() throws {
        let plan = try ExperimentFixtures.plan(
            #"{"base": {"checkpoints": {"atEnd": true}}, "sweep": {"axes": {"encoder.beta": [0.5, 0.75]}}, "outputs": {"latents": ["train"]}}"#
        )
        let run = plan.runs[1]
        let task = WorkerProtocol.Task(run: run, force: true)
        let back = try WorkerProtocol.Task(line: task.line, codeVersion: "test-code")
        #expect(back.force && back.line == task.line)
        #expect(back.run.id == run.id && back.run.config == run.config && back.run.label == run.label)
        #expect(back.run.outputs == run.outputs && back.run.experiment == plan.name)
        // Another code version, or a configuration changed on the way, does not give the id sent.
        #expect(throws: GFEError.self) { try WorkerProtocol.Task(line: task.line, codeVersion: "other-code") }
        let edited = task.line.replacingOccurrences(of: #""beta":0.75"#, with: #""beta":0.8"#)
        #expect(edited != task.line)
        let refusal = #expect(throws: GFEError.self) { try WorkerProtocol.Task(line: edited, codeVersion: "test-code") }
        #expect(refusal?.message.contains("was sent as \(run.id)") == true)
    }

    @Test func runRecordRoundTrips() throws {
        let plan = try ExperimentFixtures.plan(#"{"sweep": {"axes": {"method": ["ae"]}}}"#)
        let run = plan.runs[0]
        var swept = JSONObject()
        swept["method"] = .string("ae")
        let record = RunRecord(
            status: .failed, reason: "why", diverged: true, experiment: "e", runId: run.id, index: 0, label: run.label,
            swept: swept,
            config: run.point.resolved, outputs: plan.spec.outputs.json, dataset: "mnist", dataFingerprint: "fp",
            code: CodeVersion(id: "git:x", gitCommit: "x", gitDirty: true, repository: "/r", toolVersion: "0.1.0"),
            provenance: JSONObject([("host", .string("h"))]), startTime: "s", endTime: "e", wallSeconds: 2.5,
            trainingSeconds: .nan, iterations: 3, imagesSeen: 48, finalTrainLoss: nil,
            checkpoints: [
                CheckpointSummary(
                    iteration: 2, imagesSeen: 32, requestedImagesSeen: nil,
                    metrics: ["test_loss_ae": 0.3, "train_seconds": 1])
            ])
        let back = try RunRecord(json: try JSONParser.parse(record.json.prettyText()), source: "run.json")
        #expect(
            back.status == .failed && back.reason == "why" && back.diverged && back.runId == run.id
                && back.label == run.label)
        #expect(back.config == run.point.resolved && back.swept == swept)
        #expect(back.code == record.code && back.wallSeconds == 2.5 && back.trainingSeconds!.isNaN)
        #expect(back.checkpoints == record.checkpoints && back.finalTrainLoss == nil)
    }
}
