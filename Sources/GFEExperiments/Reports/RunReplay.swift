import Foundation
import GFECore
import GFESolvers
import GFEStore
import GFETraining

/// `gfe replay`: one step of a stored GFE run recomputed in Float32 and Float64 (`StepReplay`), from the
/// decoder run.h5 holds before that step: the step that failed for a diverged run, or the step after any
/// stored model (the final one, a checkpoint's). `changes` replace encoder or decoder-gradient settings for
/// the replay only (`encoder.points=200`), to test a cause on the failing step itself.
public struct RunReplay: Sendable {
    public var run: PlannedRun
    public var replay: StepReplay
    public var changes: [String]
    /// The run's failure reason when it failed.
    public var failure: String?

    public static func make(session: ExperimentSession, index: Int, iteration: Int?, changes: [String]) throws
        -> RunReplay
    {
        let run = try session.plan.run(at: index)
        guard run.config.method == .gfe else {
            throw GFEError.badInput(
                "replay: run \(index) (\(run.label)) is an autoencoder; replay recomputes GFE steps")
        }
        let state = session.store.state(of: run.id)
        guard let record = state.record else {
            throw GFEError.badInput(
                "replay: run \(index) (\(run.id), \(run.label)) has no stored result (\(state.summary)); "
                    + "run it first: gfe run … --index \(index)")
        }
        let file = session.store.runFolder(run.id) + "/run.h5"
        let models = try storedModels(file)
        let target: Int
        if let iteration {
            target = iteration
        } else if record.diverged, let last = models.first(where: { $0.group == "model" }) {
            target = last.step + 1
        } else {
            throw GFEError.badInput(
                "replay: run \(index) did not diverge; give --iteration K for a step after a stored model ("
                    + replayable(models) + ")")
        }
        guard let model = models.first(where: { $0.step == target - 1 }) else {
            throw GFEError.badInput(
                "replay: run \(index) stored no model after iteration \(target - 1), so step \(target) cannot "
                    + "be replayed; replayable: " + replayable(models))
        }
        let config = try changed(run, changes)
        let decoder = try CheckpointModels.load(.gfe, path: file, group: model.group).decoder
        let dataset = try run.config.data.source.load(locator: session.locator)
        let data = try TrainingData.cut(dataset, run.config)
        let replay = try StepReplay.replay(
            config: run.config, data: data, decoder: decoder, iteration: target, encoder: config.encoder,
            gradient: config.gradient)
        return RunReplay(
            run: run, replay: replay, changes: changes, failure: record.status == .failed ? record.reason : nil)
    }

    /// The models run.h5 holds: `model` (after its `step`) and each checkpoint's, with the iteration after
    /// which each was taken.
    static func storedModels(_ path: String) throws -> [(group: String, step: Int)] {
        try HDF5File.read(path) { file in
            var models: [(group: String, step: Int)] = []
            if file.contains("model"), try file.hasAttribute("step", on: "model") {
                models.append(("model", Int(try file.int64Attribute("step", of: "model"))))
            }
            if file.contains("checkpoints") {
                for m in try file.members(of: "checkpoints") where file.contains("checkpoints/\(m.name)/model") {
                    let g = "checkpoints/" + m.name
                    models.append((g + "/model", Int(try file.int64Attribute("iteration", of: g))))
                }
            }
            return models
        }
    }

    private static func replayable(_ models: [(group: String, step: Int)]) -> String {
        let steps = Set(models.map { $0.step + 1 }).sorted()
        return steps.isEmpty
            ? "the run stored no model (its spec's outputs.models is none)"
            : "--iteration " + steps.map(String.init).joined(separator: ", ")
    }

    /// The run's configuration with `--change PATH=VALUE` applied; only the encoder and the decoder gradient
    /// may change (anything else would replay another run's step).
    private static func changed(_ run: PlannedRun, _ changes: [String]) throws -> TrainingConfig {
        var json = run.point.resolved
        for c in changes {
            let o = try ConfigOverride(parsing: c)
            guard let head = o.path.components.first, head == "encoder" || head == "gradient" else {
                throw GFEError.badInput(
                    "replay: --change '\(c)' changes '\(o.path)'; a replay may change 'encoder.…' and "
                        + "'gradient.…' only (the batch, data and decoder are the run's)")
            }
            json = try o.path.setting(o.value, in: json, where: "--change '\(c)'")
        }
        return try ResolvedExperiment.decode(json)
    }

    // MARK: Output

    public var text: String {
        let r = replay
        var lines = [
            "replay of \(run.experiment) [\(run.index)] \(run.id) \(run.label)",
            "  step \(r.iteration) (\(r.batchSize) images; \(r.imagesSeenBefore) seen before it)"
                + (failure.map { "; the run failed: \($0)" } ?? ""),
            "  encoder \(r.encoder.method.rawValue), decoder gradient \(r.gradient.rawValue)"
                + (changes.isEmpty ? " (the run's)" : " (changed for the replay: \(changes.joined(separator: ", ")))"),
            "",
            "  precision  mean loss  mean |grad_z l|  |dL/dtheta|  non-finite entries  solve passes  2nd-order passes"
        ]
        for (name, o) in [("Float32", r.float32), ("Float64", r.float64)] {
            lines.append(
                "  "
                    + [
                        pad(name, 9), pad(fmt(o.meanLoss), 9), pad(fmt(o.meanLatentGradientNorm), 15),
                        pad(fmt(o.gradientNorm), 11), pad("\(o.nonFiniteGradientEntries) of \(o.parameterCount)", 18),
                        pad("\(o.solvePasses)", 12), pad("\(o.secondOrderPasses)", 16)
                    ].joined(separator: "  "))
        }
        lines.append("  " + verdict)
        if !r.float32.adjointSweep.isEmpty {
            lines.append("")
            lines.append(
                "  adjoint sweep, backwards from t = \(fmt(r.float32.adjointSweep.first!.time + r.float32.adjointSweep.first!.step)): largest |a| over the rows"
            )
            lines.append(
                "  " + pad("interval", 8) + "  " + pad("t", 9) + "  " + pad("Float32", 11) + "  " + pad("Float64", 11))
            let f64 = Dictionary(r.float64.adjointSweep.map { ($0.interval, $0) }, uniquingKeysWith: { a, _ in a })
            for s in sampledSweep(r.float32.adjointSweep) {
                lines.append(
                    "  " + pad("\(s.interval)", 8) + "  " + pad(fmt(s.time), 9) + "  "
                        + pad(fmt(s.largestAdjointNorm), 11) + "  "
                        + pad(f64[s.interval].map { fmt($0.largestAdjointNorm) } ?? "", 11))
            }
        }
        if let grid = r.grid, !grid.isEmpty {
            let beyond = grid.filter { $0.stiffness > FlowStiffness.rungeKuttaLimit }
            let worst = grid.max { $0.stiffness < $1.stiffness }!
            let growth = beyond.reduce(1.0) { $0 * $1.amplification }
            lines.append("")
            lines.append(
                "  stiffness along the grid (Float64 solve): largest h·alpha·lambda_max = \(fmt(worst.stiffness)) "
                    + "on interval \(worst.interval) (t = \(fmt(worst.time)), h = \(fmt(worst.step)), row \(worst.row)); "
                    + "Runge–Kutta stability limit \(fmt(FlowStiffness.rungeKuttaLimit))")
            lines.append(
                beyond.isEmpty
                    ? "  every interval is within the limit"
                    : "  beyond the limit on \(beyond.count) of \(grid.count) intervals (t from \(fmt(beyond.first!.time)) "
                        + "to \(fmt(beyond.last!.time))); the product of their amplification factors |R| is \(fmt(growth))"
            )
        }
        return lines.joined(separator: "\n")
    }

    /// What the two precisions together say.
    var verdict: String {
        switch (replay.float32.isFinite, replay.float64.isFinite) {
        case (true, true): return "finite in both precisions"
        case (false, true): return "not finite in Float32, finite in Float64 (compare the sizes above)"
        case (false, false): return "not finite in either precision"
        case (true, false): return "finite in Float32, not finite in Float64"
        }
    }

    /// The first and last five intervals, every tenth, and the one with the largest Float32 norm.
    private func sampledSweep(_ sweep: [AdjointSweepStep]) -> [AdjointSweepStep] {
        // NaN counts as the largest: it is where the sweep broke.
        func size(_ i: Int) -> Double {
            let v = sweep[i].largestAdjointNorm
            return v.isNaN ? .infinity : v
        }
        let worst = sweep.indices.max { size($0) < size($1) }
        return sweep.indices.filter { (i: Int) -> Bool in
            i < 5 || i >= sweep.count - 5 || sweep[i].interval % 10 == 0 || i == worst
        }.map { sweep[$0] }
    }

    /// One row per grid interval: stiffness and the adjoint's norm in both precisions (empty cells where the
    /// replay has no such number).
    public var csv: CSVTable {
        var table = CSVTable(
            header: [
                "interval", "t", "h", "alpha", "stiffness", "stiffness_row", "amplification", "adjoint_norm_float32",
                "adjoint_norm_float64"
            ])
        let f32 = Dictionary(replay.float32.adjointSweep.map { ($0.interval, $0) }, uniquingKeysWith: { a, _ in a })
        let f64 = Dictionary(replay.float64.adjointSweep.map { ($0.interval, $0) }, uniquingKeysWith: { a, _ in a })
        let intervals =
            replay.grid?.map(\.interval) ?? replay.float32.adjointSweep.map(\.interval).sorted()
        let grid = Dictionary((replay.grid ?? []).map { ($0.interval, $0) }, uniquingKeysWith: { a, _ in a })
        for k in intervals {
            let g = grid[k]
            let s = f32[k]
            try? table.append([
                "\(k)", csvNumber(g?.time ?? s?.time), csvNumber(g?.step ?? s?.step), csvNumber(g?.alpha),
                csvNumber(g?.stiffness), g.map { "\($0.row)" } ?? "", csvNumber(g?.amplification),
                csvNumber(s?.largestAdjointNorm), csvNumber(f64[k]?.largestAdjointNorm)
            ])
        }
        table.comments = ["replay of \(run.experiment) [\(run.index)] \(run.id) \(run.label), step \(replay.iteration)"]
        return table
    }

    /// The whole replay as one JSON object (`gfe replay --json`): the run, the step, the changes, each
    /// precision's numbers and the per-interval rows of `csv`; non-finite numbers as the strings "nan", "inf".
    public var json: JSONValue {
        func number(_ v: Double) -> JSONValue {
            v.isFinite ? JSONValue(v) : .string(v.isNaN ? "nan" : (v > 0 ? "inf" : "-inf"))
        }
        func outcome(_ o: StepReplay.Outcome) -> JSONValue {
            .object(
                JSONObject([
                    ("meanLoss", number(o.meanLoss)), ("meanLatentGradientNorm", number(o.meanLatentGradientNorm)),
                    ("gradientNorm", number(o.gradientNorm)),
                    ("nonFiniteGradientEntries", JSONValue(o.nonFiniteGradientEntries)),
                    ("parameterCount", JSONValue(o.parameterCount)), ("solvePasses", JSONValue(o.solvePasses)),
                    ("secondOrderPasses", JSONValue(o.secondOrderPasses)), ("finite", .bool(o.isFinite))
                ]))
        }
        let table = csv
        let intervals = table.rows.map { row in
            JSONValue.object(
                JSONObject(
                    zip(table.header, row).map { name, cell in
                        (name, cell.isEmpty ? .null : Double(cell).map(number) ?? .string(cell))
                    }))
        }
        return .object(
            JSONObject([
                ("experiment", .string(run.experiment)), ("index", JSONValue(run.index)), ("runId", .string(run.id)),
                ("label", .string(run.label)), ("step", JSONValue(replay.iteration)),
                ("imagesSeenBefore", JSONValue(replay.imagesSeenBefore)),
                ("failure", failure.map { .string($0) } ?? .null),
                ("changes", .array(changes.map { .string($0) })), ("encoder", .string(replay.encoder.method.rawValue)),
                ("gradient", .string(replay.gradient.rawValue)), ("float32", outcome(replay.float32)),
                ("float64", outcome(replay.float64)), ("intervals", .array(intervals))
            ]))
    }

    private func csvNumber(_ v: Double?) -> String { v.map { "\($0)" } ?? "" }
    private func fmt(_ v: Double) -> String {
        v.isFinite
            ? (abs(v) >= 1e5 || (abs(v) < 1e-3 && v != 0) ? String(format: "%.3e", v) : String(format: "%.4g", v))
            : "\(v)"
    }
    private func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : String(repeating: " ", count: width - s.count) + s
    }
}
