import Foundation
import GFECore
import GFEStore
import GFETraining

/// Latents of one set at one checkpoint, with the samples' labels (nil: the data have none).
public struct StoredLatents: Sendable {
    public var set: OutputSettings.LatentSet
    public var result: EvaluationResult
    public var labels: [UInt8]?
}

/// Writes a run's curves.csv and run.h5 (layouts in docs/results.md) from what training produced.
public enum RunOutputsWriter {
    /// The columns of curves.csv (docs/results.md), in order.
    public static let curvesHeader = ["run", "iteration", "images_seen", "wall_s", "metric", "value"]

    /// curves.csv: one row per (iteration, metric), columns run, iteration, images_seen, wall_s, metric,
    /// value. Per iteration `train_loss` (and for GFE the solve counters), validation points, at every
    /// checkpoint its evaluations and `train_seconds`, and at every solve-curve iteration the curve's
    /// (`solve_curve_t`, `solve_curve_mean_loss`) pairs.
    public static func curves(_ result: TrainingResult, runId: String) -> CSVTable {
        var table = CSVTable(header: curvesHeader)
        func row(_ iteration: Int, _ seen: Int, _ wall: Double, _ metric: String, _ value: Double) {
            table.rows.append([runId, String(iteration), String(seen), CSV.cell(wall), metric, CSV.cell(value)])
        }
        let split = result.config.checkpoints.split
        var checkpoints = result.checkpoints.makeIterator()
        var nextCheckpoint = checkpoints.next()
        var validation = result.validation.makeIterator()
        var nextValidation = validation.next()
        var solveCurves = result.solveCurves.makeIterator()
        var nextSolveCurve = solveCurves.next()
        // Rows in iteration order: validation and checkpoint rows after the iteration they follow.
        func flush(upTo iteration: Int) {
            // A solve curve recorded after `iteration` iterations shows the model the next iteration starts from.
            while let c = nextSolveCurve, c.iteration <= iteration {
                for (t, loss) in zip(c.times, c.meanLoss) {
                    row(c.iteration, c.imagesSeen, c.wallSeconds, RunMetrics.solveCurveTime, t)
                    row(c.iteration, c.imagesSeen, c.wallSeconds, RunMetrics.solveCurveMeanLoss, loss)
                }
                nextSolveCurve = solveCurves.next()
            }
            while let v = nextValidation, v.iteration <= iteration {
                row(
                    v.iteration, v.imagesSeen, v.wallSeconds,
                    v.set == .validation ? RunMetrics.validationLoss : RunMetrics.holdoutLoss, v.loss)
                nextValidation = validation.next()
            }
            while let c = nextCheckpoint, c.iteration <= iteration {
                for e in c.evaluations {
                    guard let kind = e.kind else { continue }
                    row(c.iteration, c.imagesSeen, c.wallSeconds, RunMetrics.evaluation(kind, split: split), e.meanLoss)
                }
                row(c.iteration, c.imagesSeen, c.wallSeconds, RunMetrics.trainSeconds, c.wallSeconds)
                nextCheckpoint = checkpoints.next()
            }
        }
        flush(upTo: 0)
        for it in result.iterations {
            row(it.iteration, it.imagesSeen, it.wallSeconds, RunMetrics.trainLoss, it.loss)
            if let s = it.solve {
                row(it.iteration, it.imagesSeen, it.wallSeconds, RunMetrics.solveAttempts, Double(s.attempts))
                row(it.iteration, it.imagesSeen, it.wallSeconds, RunMetrics.solveAccepted, Double(s.accepted))
                row(it.iteration, it.imagesSeen, it.wallSeconds, RunMetrics.solveRejected, Double(s.rejected))
                row(it.iteration, it.imagesSeen, it.wallSeconds, RunMetrics.solveForced, Double(s.forced))
                row(it.iteration, it.imagesSeen, it.wallSeconds, RunMetrics.solveFinalTime, s.finalTime)
                row(
                    it.iteration, it.imagesSeen, it.wallSeconds, RunMetrics.solveConverged,
                    s.groups > 0 ? Double(s.convergedGroups) / Double(s.groups) : 0)
                row(it.iteration, it.imagesSeen, it.wallSeconds, RunMetrics.solveGradientNorm, s.meanGradientNorm)
            }
            flush(upTo: it.iteration)
        }
        flush(upTo: Int.max)
        return table
    }

    /// The checkpoint summaries run.json keeps.
    public static func checkpointSummaries(_ result: TrainingResult) -> [CheckpointSummary] {
        let split = result.config.checkpoints.split
        return result.checkpoints.map { c in
            var metrics: [String: Double] = [RunMetrics.trainSeconds: c.wallSeconds]
            for e in c.evaluations {
                guard let kind = e.kind else { continue }
                metrics[RunMetrics.evaluation(kind, split: split)] = e.meanLoss
                for (name, value) in zip(RunMetrics.evaluationCosts(kind, split: split), RunMetrics.costValues(e)) {
                    metrics[name] = value
                }
            }
            return CheckpointSummary(
                iteration: c.iteration, imagesSeen: c.imagesSeen,
                requestedImagesSeen: c.requestedImagesSeen, metrics: metrics)
        }
    }

    /// Writes run.h5 at `path`.
    public static func hdf5(
        _ result: TrainingResult, to path: String, attributes: [String: HDF5AttributeValue],
        outputs: OutputSettings, evaluationLabels: [UInt8]?, latents: [[StoredLatents]]
    ) throws {
        try HDF5File.write(to: path, truncating: true) { f in
            for (name, value) in attributes.sorted(by: { $0.key < $1.key }) { try f.setAttribute(name, value) }
            try writeCurves(result, into: f)
            try writeSolveCurves(result, into: f)
            let split = result.config.checkpoints.split
            for (k, c) in result.checkpoints.enumerated() {
                let name = checkpointGroupName(k)
                let g = try f.createGroup(name)
                try g.setAttribute("iteration", .int64(Int64(c.iteration)))
                try g.setAttribute("images_seen", .int64(Int64(c.imagesSeen)))
                try g.setAttribute("requested_images_seen", .int64(Int64(c.requestedImagesSeen ?? -1)))
                try g.setAttribute("train_seconds", .double(c.wallSeconds))
                for e in c.evaluations {
                    guard let kind = e.kind else { continue }
                    let eg = try g.createGroup(RunMetrics.snakeName(kind))
                    try eg.setAttribute("split", .string(split))
                    try writeEvaluation(
                        e, into: eg, latents: outputs.latents.contains(.evaluation), labels: evaluationLabels)
                }
                if k < latents.count {
                    for stored in latents[k] {
                        let lg = try g.createGroup("latents/\(stored.set.rawValue)")
                        try writeEvaluation(stored.result, into: lg, latents: true, labels: stored.labels)
                    }
                }
                if outputs.models == .checkpoints {
                    try CheckpointModels.save(c.model, to: f, group: name + "/model", step: c.iteration)
                }
            }
            if outputs.models != .none {
                // The optimisers' states beside the final model, so training can resume from run.h5.
                try CheckpointModels.save(
                    result.model, to: f, group: "model", step: result.iterations.last?.iteration ?? 0,
                    optimiserStates: result.optimiserStates)
            }
        }
    }

    /// `checkpoints/000`, `checkpoints/001`, … (zero-padded so names sort in order).
    public static func checkpointGroupName(_ k: Int) -> String {
        let digits = String(k)
        return "checkpoints/" + String(repeating: "0", count: max(0, 3 - digits.count)) + digits
    }

    private static func writeCurves(_ result: TrainingResult, into f: HDF5File) throws {
        let its = result.iterations
        let train = try f.createGroup("curves/train")
        try train.write(its.map { Int64($0.iteration) }, to: "iteration")
        try train.write(its.map { Int64($0.imagesSeen) }, to: "images_seen")
        try train.write(its.map(\.wallSeconds), to: "wall_s")
        try train.write(its.map(\.loss), to: "loss")
        let solves = its.compactMap(\.solve)
        if !its.isEmpty && solves.count == its.count {
            let s = try f.createGroup("curves/solve")
            try s.write(solves.map { Int64($0.attempts) }, to: "attempts")
            try s.write(solves.map { Int64($0.accepted) }, to: "accepted")
            try s.write(solves.map { Int64($0.rejected) }, to: "rejected")
            try s.write(solves.map { Int64($0.forced) }, to: "forced")
            try s.write(solves.map(\.finalTime), to: "final_t")
            try s.write(solves.map { Int64($0.groups) }, to: "groups")
            try s.write(solves.map { Int64($0.convergedGroups) }, to: "converged_groups")
        }
        for set in [ValidationRecord.Set.validation, .holdout] {
            let points = result.validation.filter { $0.set == set }
            guard !points.isEmpty else { continue }
            let g = try f.createGroup("curves/\(set.rawValue)")
            try g.write(points.map { Int64($0.iteration) }, to: "iteration")
            try g.write(points.map { Int64($0.imagesSeen) }, to: "images_seen")
            try g.write(points.map(\.wallSeconds), to: "wall_s")
            try g.write(points.map(\.loss), to: "loss")
        }
    }

    /// `solve_curves/iteration_000050/` … (zero-padded so names sort in order).
    public static func solveCurveGroupName(_ iteration: Int) -> String {
        let digits = String(iteration)
        return "solve_curves/iteration_" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits
    }

    private static func writeSolveCurves(_ result: TrainingResult, into f: HDF5File) throws {
        guard !result.solveCurves.isEmpty else { return }
        let root = try f.createGroup("solve_curves")
        try root.setAttribute("encoder", .string(result.config.encoder.method.rawValue))
        try root.setAttribute("iterations", .int64Array(result.solveCurves.map { Int64($0.iteration) }))
        try root.setAttribute("images", .int64(Int64(result.solveCurves[0].images)))
        for c in result.solveCurves {
            let g = try f.createGroup(solveCurveGroupName(c.iteration))
            try g.setAttribute("iteration", .int64(Int64(c.iteration)))
            try g.setAttribute("images_seen", .int64(Int64(c.imagesSeen)))
            try g.setAttribute("train_seconds", .double(c.wallSeconds))
            try g.setAttribute("images", .int64(Int64(c.images)))
            try g.write(c.times, to: "t")
            try g.write(c.meanLoss, to: "mean_loss")
        }
    }

    /// Writes an evaluation's measures, and with `latents` its z* and the samples' labels (when the data have
    /// labels).
    private static func writeEvaluation(
        _ e: EvaluationResult, into g: HDF5Group, latents: Bool, labels: [UInt8]?
    ) throws {
        try g.setAttribute("mean_loss", .double(e.meanLoss))
        try g.setAttribute("count", .int64(Int64(e.count)))
        try g.setAttribute("wall_seconds", .double(e.wallSeconds))
        try g.setAttribute("cpu_seconds", .double(e.cpuSeconds))
        try g.setAttribute("forward_passes_per_sample", .double(e.forwardPasses))
        try g.setAttribute("backward_passes_per_sample", .double(e.backwardPasses))
        try g.write(e.sampleLoss, to: "sample_loss")
        if let s = e.statistics {
            try g.write(s.sampleGradientNorm, to: "gradient_norm")
            try g.write(s.sampleFinalTime, to: "final_time")
            try g.setAttribute("attempts", .int64(Int64(s.attempts)))
            try g.setAttribute("accepted", .int64(Int64(s.accepted)))
            try g.setAttribute("rejected", .int64(Int64(s.rejected)))
            try g.setAttribute("forced", .int64(Int64(s.forced)))
            try g.setAttribute("converged_groups", .int64(Int64(s.convergedGroups)))
            try g.setAttribute("groups", .int64(Int64(s.groups.count)))
        }
        guard latents else { return }
        try g.write(e.z, to: "z_star")
        if let labels { try g.write(Array(labels.prefix(e.count)), to: "labels") }
    }
}
