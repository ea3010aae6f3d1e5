import GFETraining
import Testing

@testable import GFEExperiments

/// `gfe run`'s progress: the ETA from the work left at the measured rates (hand-worked cases), and the
/// worker lines (numbers before the label, within 80 columns).
@Suite struct SweepProgressTests {
    typealias Run = SweepETA.Run

    static func progress(
        _ iteration: Int, of total: Int, seconds: Double, planned: Int = 1000, evaluated: Int = 0,
        evaluationSeconds: Double = 0, stage: EvaluationStage? = nil
    ) -> TrainingProgress {
        TrainingProgress(
            iteration: iteration, totalIterations: total, imagesSeen: 16 * iteration, loss: 0.2, imagesPerSecond: 30,
            trainingSeconds: seconds, evaluation: stage, evaluationImagesPlanned: planned,
            evaluationImagesDone: evaluated, evaluationSeconds: evaluationSeconds)
    }

    @Test func nothingMeasuredGivesNoEstimate() {
        #expect(SweepETA.estimate(open: [Run(progress: nil, plannedIterations: 60)], reported: [], workers: 2) == nil)
        let starting = Self.progress(0, of: 60, seconds: 0)
        #expect(SweepETA.estimate(open: [Run(progress: starting)], reported: [starting], workers: 2) == nil)
        #expect(SweepETA.text(nil) == "ETA —")
    }

    /// One run at 0.5 s per iteration, 50 iterations left, 1,000 evaluation images never timed: 25 s, a
    /// lower bound.
    @Test func untimedEvaluationsMakeALowerBound() {
        let p = Self.progress(10, of: 60, seconds: 5)
        let e = SweepETA.estimate(open: [Run(progress: p)], reported: [p], workers: 2)
        #expect(e == SweepETA.Estimate(seconds: 25, lowerBound: true))
        #expect(SweepETA.text(e) == "ETA ≥25s")
    }

    /// A finished run timed evaluations at 0.01 s per image and training at 0.5 s per iteration. The running
    /// run has 50 iterations (25 s) and 1,000 images (10 s) left: 35 s; the waiting run its planned 60
    /// iterations at the sweep's 0.5 s (30 s) and the mean 1,000 images (10 s): 40 s. Two workers: 75/2 =
    /// 37.5 s, above the running run's own 35 s.
    @Test func workLeftAtMeasuredRatesSpreadOverWorkers() {
        let finished = Self.progress(60, of: 60, seconds: 30, evaluated: 1000, evaluationSeconds: 10)
        let running = Self.progress(10, of: 60, seconds: 5)
        let open = [Run(progress: running), Run(progress: nil, plannedIterations: 60)]
        let e = SweepETA.estimate(open: open, reported: [finished, running], workers: 2)
        #expect(e == SweepETA.Estimate(seconds: 37.5, lowerBound: false))
        // One worker: every second of work in a row.
        #expect(SweepETA.estimate(open: open, reported: [finished, running], workers: 1)?.seconds == 75)
        // A long running run bounds the estimate from below: 1,000 iterations left at its own 2 s each.
        let slow = Self.progress(10, of: 1010, seconds: 20, planned: 0)
        #expect(
            SweepETA.estimate(open: [Run(progress: slow), Run(progress: nil)], reported: [finished, slow], workers: 2)
                == SweepETA.Estimate(seconds: 2000, lowerBound: false))
    }

    /// An evaluation under way times the images itself: 500 of 1,000 done in 5 s leaves 500 at 0.01 s.
    @Test func anEvaluationUnderWayIsTimed() {
        let p = Self.progress(
            60, of: 60, seconds: 30,
            stage: EvaluationStage(label: "checkpoint 1/1: gfe", done: 500, total: 1000, seconds: 5))
        let e = SweepETA.estimate(open: [Run(progress: p)], reported: [p], workers: 2)
        #expect(e == SweepETA.Estimate(seconds: 5, lowerBound: false))
    }

    @Test func workerLinesPutTheNumbersFirstWithin80Columns() {
        let label = "encoder={\"dynamics\":\"nesterov\",\"method\":\"fixedGrid\"} gradient=adjoint seed=2021"
        let training = WorkerLine.text(
            index: 11, label: label, phase: "training",
            progress: TrainingProgress(
                iteration: 12_345, totalIterations: 12_345, imagesSeen: 197_520, loss: 0.10716, imagesPerSecond: 1234),
            seconds: 7384)
        #expect(training.hasPrefix("  [11]  it 12,345/12,345  197,520 img  loss 0.1072  1234 img/s  2h03m  encoder="))
        #expect(training.count(before: label) <= 79)
        let evaluating = WorkerLine.text(
            index: 3, label: label, phase: "training",
            progress: Self.progress(
                60, of: 60, seconds: 30,
                stage: EvaluationStage(label: "checkpoint 12/12: ae-decoder-amd", done: 9984, total: 10000)),
            seconds: 65)
        #expect(evaluating.hasPrefix("  [3]  eval 9,984/10,000 checkpoint 12/12: ae-decoder-amd  1m05s  encoder="))
        #expect(evaluating.count(before: label) <= 79)
        #expect(
            WorkerLine.text(index: 0, label: "seed=1", phase: "loading data", progress: nil, seconds: 2)
                == "  [0]  loading data  2s  seed=1")
    }
}

extension String {
    /// The characters before `other`'s first occurrence.
    fileprivate func count(before other: String) -> Int {
        guard let r = range(of: other) else { return count }
        return distance(from: startIndex, to: r.lowerBound)
    }
}
