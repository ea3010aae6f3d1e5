import Foundation
import GFECore
import GFETraining

/// A sweep's time left, from the work left and the rates measured so far (`gfe run`'s progress header).
///
/// Work is training iterations and evaluated images, each at its own rate: seconds per training iteration
/// (a running run's own once it has trained, else the sweep's mean over runs so far) and seconds per
/// evaluated image (the sweep's mean, evaluations under way included). Runs not started yet count their planned iterations (from the plan,
/// else the mean of the runs seen) and the mean planned evaluation images of the runs seen. The time left
/// is the work spread over the workers, and never less than the longest running run's own work left.
struct SweepETA {
    /// What is known of one run that is not finished.
    struct Run {
        /// Its latest progress; nil before it reported any.
        var progress: TrainingProgress?
        /// The iterations its plan gives, when known before it starts.
        var plannedIterations: Int?
    }

    /// The time left, and whether it leaves out evaluations not yet timed (then it is a lower bound).
    struct Estimate: Equatable {
        var seconds: Double
        var lowerBound: Bool
    }

    /// `open`: the runs not finished (running or waiting); `reported`: the latest progress of every run that
    /// reported any, finished ones included (the rates come from all of them).
    static func estimate(open: [Run], reported: [TrainingProgress], workers: Int) -> Estimate? {
        let trained = reported.filter { $0.iteration > 0 }
        let iterations = trained.reduce(0) { $0 + $1.iteration }
        guard iterations > 0 else { return nil }
        let perIteration = trained.reduce(0) { $0 + $1.trainingSeconds } / Double(iterations)
        // Finished evaluations and the ones under way alike.
        let evaluated = reported.reduce(0) { $0 + $1.evaluationImagesDone + ($1.evaluation?.done ?? 0) }
        let evaluationSeconds = reported.reduce(0) { $0 + $1.evaluationSeconds + ($1.evaluation?.seconds ?? 0) }
        let perImage: Double? = evaluated > 0 ? evaluationSeconds / Double(evaluated) : nil
        let meanIterations = Double(reported.reduce(0) { $0 + $1.totalIterations }) / Double(max(reported.count, 1))
        let meanEvaluations =
            Double(reported.reduce(0) { $0 + $1.evaluationImagesPlanned }) / Double(max(reported.count, 1))

        var total = 0.0
        var longest = 0.0
        var untimed = false
        for run in open {
            let trainingLeft: Double
            let evaluationLeft: Double
            if let p = run.progress {
                let own = p.iteration > 0 ? p.trainingSeconds / Double(p.iteration) : perIteration
                trainingLeft = Double(max(p.totalIterations - p.iteration, 0)) * own
                evaluationLeft = Double(
                    max(p.evaluationImagesPlanned - p.evaluationImagesDone - (p.evaluation?.done ?? 0), 0))
            } else {
                trainingLeft = Double(run.plannedIterations.map(Double.init) ?? meanIterations) * perIteration
                evaluationLeft = meanEvaluations
            }
            var seconds = trainingLeft
            if evaluationLeft > 0 {
                if let perImage { seconds += evaluationLeft * perImage } else { untimed = true }
            }
            total += seconds
            if run.progress != nil { longest = max(longest, seconds) }
        }
        let spread = total / Double(max(1, min(workers, open.count)))
        return Estimate(seconds: max(spread, longest), lowerBound: untimed)
    }

    /// "ETA ~12m05s", "ETA ≥12m05s" (evaluations not yet timed), "ETA —" (nothing measured yet).
    static func text(_ e: Estimate?) -> String {
        guard let e else { return "ETA —" }
        return (e.lowerBound ? "ETA ≥" : "ETA ~") + Human.duration(e.seconds)
    }
}

/// The live line of one worker: the numbers first, the run's label last, so a narrow terminal cuts only
/// the label. Training: `[3] it 245/1,200  4,900 img  loss 0.1072  35 img/s  2m05s  label`; evaluating:
/// `[3] eval 2,400/10,000 checkpoint 2/5: gfe  1m10s  label`; other phases by name.
enum WorkerLine {
    static func text(index: Int, label: String, phase: String, progress: TrainingProgress?, seconds: Double)
        -> String
    {
        var fields = ["[\(index)]"]
        if let p = progress, phase == "training" {
            if let e = p.evaluation {
                fields.append("eval \(grouped(e.done))/\(grouped(e.total)) \(e.label)")
            } else {
                fields.append("it \(grouped(p.iteration))/\(grouped(p.totalIterations))")
                fields.append("\(grouped(p.imagesSeen)) img")
                fields.append("loss " + (p.loss.isFinite ? String(format: "%.4f", p.loss) : "\(p.loss)"))
                fields.append(String(format: "%.0f img/s", p.imagesPerSecond))
            }
        } else {
            fields.append(phase)
        }
        fields.append(Human.duration(seconds))
        fields.append(label)
        return "  " + fields.joined(separator: "  ")
    }
}
