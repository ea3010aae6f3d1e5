import Foundation
import GFECore
import GFETraining

/// What scripts/figures.py draws from: the runs with their names (`FigureRun`), the files it reads (each run's
/// curves.csv, the experiment's tables and the paper's values) and the data computed by the engine (t-SNE
/// coordinates, reconstructions). Written as JSON beside the figures while they are drawn.
enum FigureManifest {
    static func make(
        plan: ExperimentPlan, store: RunStore, runs: [FigureRun], folder: String, curves: Bool, tsne: [JSONValue],
        reconstructions: [JSONValue]
    ) -> JSONValue {
        var groups: [String] = []
        var panels: [String] = []
        for r in runs {
            if !groups.contains(r.group) { groups.append(r.group) }
            if let p = r.panel, !panels.contains(p) { panels.append(p) }
        }
        let runObjects: [JSONValue] = runs.map { r in
            .object(
                JSONObject([
                    ("id", .string(r.id)), ("label", .string(r.label)), ("group", .string(r.group)),
                    ("panel", r.panel.map(JSONValue.string) ?? .null), ("seed", JSONValue(r.config.seed)),
                    ("state", .string(r.failed ? "failed" : "finished")),
                    ("curves", .string(curves ? r.curvesPath : "")),
                    // Only the adaptive solver stops on convergence.
                    ("adaptive", .bool(r.config.method == .gfe && r.config.encoder.method == .amd))
                ]))
        }
        // The loss every y axis and table figure names: the decoders' (SPEC §3 cross-entropy, or MSE).
        let losses = Set(plan.runs.map { $0.config.decoder.loss })
        let loss =
            losses.count > 1 ? "loss" : losses.first == .meanSquaredError ? "mean squared error" : "mean cross-entropy"
        return .object(
            JSONObject([
                ("experiment", .string(plan.name)), ("lossName", .string(loss)), ("spec", .string(plan.spec.source)),
                ("folder", .string(folder)),
                ("runs", .array(runObjects)), ("groups", .array(groups.map(JSONValue.string))),
                ("panels", .array(panels.map(JSONValue.string))), ("panelTitle", .string("dataset")),
                ("solveCurveImages", plan.spec.outputs.solveCurves.map { JSONValue($0.images) } ?? .null),
                ("tsne", .array(tsne)), ("reconstructions", .array(reconstructions)),
                ("tables", .array(tables(plan: plan, store: store, loss: loss)))
            ]))
    }

    /// Every table of the experiment (table.csv, table-seeds3.csv, …) with the paper's values to draw beside it.
    static func tables(plan: ExperimentPlan, store: RunStore, loss: String = "mean cross-entropy") -> [JSONValue] {
        guard let pivot = plan.spec.table,
            let files = try? FileManager.default.contentsOfDirectory(atPath: store.folder)
        else { return [] }
        let reference: JSONValue =
            plan.spec.reference.map { r in
                .object(
                    JSONObject([
                        ("path", .string(r.file)), ("key", .string(r.key[0])),
                        ("tolerance", .string(toleranceText(r.tolerance)))
                    ]))
            } ?? .null
        let keyTitle =
            switch pivot.index {
            case .imagesSeen: "training images seen"
            case .iteration: "iteration"
            case .path(_, let name): name
            }
        return files.filter { $0.hasPrefix("table") && $0.hasSuffix(".csv") }.sorted().map { name in
            .object(
                JSONObject([
                    ("path", .string(store.folder + "/" + name)), ("key", .string(pivot.index.columnName)),
                    ("keyTitle", .string(keyTitle)),
                    ("columns", .array(pivot.columns.map { .string($0.name) })),
                    ("labels", .object(JSONObject(pivot.columns.map { ($0.name, .string($0.label)) }))),
                    ("valueTitle", .string("test loss (\(loss))")), ("reference", reference)
                ]))
        }
    }

    static func toleranceText(_ t: DiffTolerance) -> String {
        var parts = ["rtol \(t.rtol)"]
        if t.atol != 0 { parts.append("atol \(t.atol)") }
        parts += t.columnRtol.sorted { $0.key < $1.key }.map { "\($0.key): rtol \($0.value)" }
        return parts.joined(separator: ", ")
    }
}
