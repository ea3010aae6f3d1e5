import GFECore
import GFETraining

/// A stored run of an experiment's plan, as the figures see it: where its files are, its configuration,
/// and a legend label naming only what distinguishes it from the other runs plotted with it.
public struct FigureRun: Sendable {
    public var planned: PlannedRun
    public var record: RunRecord
    public var folder: String
    public var label: String

    public var id: String { planned.id }
    public var config: TrainingConfig { planned.config }
    public var curvesPath: String { folder + "/curves.csv" }
    public var hdf5Path: String { folder + "/run.h5" }

    public var failed: Bool { record.status == .failed }

    /// The runs of `plan` that figures draw, in plan order: the finished ones and the failed ones, labelled by
    /// the swept values that differ between the planned runs ("method=ae", "encoder={…} seed=2"; the run id
    /// when nothing differs). A failed run keeps what it stored before it stopped, and where it stopped is a
    /// result (a fixed-grid GFE diverging is paper figure 3's point), so it is drawn, its label saying so.
    public static func plotted(plan: ExperimentPlan, store: RunStore) -> [FigureRun] {
        var paths: [String] = []
        for r in plan.runs {
            for v in r.point.values where !paths.contains(v.path.description) { paths.append(v.path.description) }
        }
        let varying = paths.filter { path in
            Set(plan.runs.map { r in r.point.values.first { $0.path.description == path }?.value.canonicalText ?? "" })
                .count > 1
        }
        return plan.runs.compactMap { r in
            let record: RunRecord
            switch store.state(of: r.id) {
            case .finished(let stored), .failed(let stored): record = stored
            default: return nil
            }
            let parts = r.point.values.filter { varying.contains($0.path.description) }.map {
                "\($0.path)=\($0.value.shortText)"
            }
            var label = parts.isEmpty ? "run \(r.id)" : parts.joined(separator: " ")
            if record.status == .failed { label += " (failed after iteration \(record.iterations))" }
            return FigureRun(planned: r, record: record, folder: store.runFolder(r.id), label: label)
        }
    }
}
