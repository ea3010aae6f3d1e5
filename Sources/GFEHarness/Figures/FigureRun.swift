import GFECore

/// A finished run of an experiment's plan, as the figures see it: where its files are, its configuration,
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

    /// The finished runs of `plan` in plan order, labelled by the swept values that differ between the
    /// planned runs ("method=ae", "encoder={…} seed=2"); the run id when nothing differs.
    public static func finished(plan: ExperimentPlan, store: RunStore) -> [FigureRun] {
        var paths: [String] = []
        for r in plan.runs { for v in r.point.values where !paths.contains(v.path.description) { paths.append(v.path.description) } }
        let varying = paths.filter { path in
            Set(plan.runs.map { r in r.point.values.first { $0.path.description == path }?.value.canonicalText ?? "" }).count > 1
        }
        return plan.runs.compactMap { r in
            guard case .finished(let record) = store.state(of: r.id) else { return nil }
            let parts = r.point.values.filter { varying.contains($0.path.description) }.map { "\($0.path)=\($0.value.shortText)" }
            return FigureRun(planned: r, record: record, folder: store.runFolder(r.id),
                             label: parts.isEmpty ? "run \(r.id)" : parts.joined(separator: " "))
        }
    }
}
