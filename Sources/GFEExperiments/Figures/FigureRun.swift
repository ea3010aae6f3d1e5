import GFECore
import GFETraining

/// A stored run of an experiment's plan, as the figures see it: where its files are, its configuration,
/// and names from the spec's sweep: a legend label naming only what distinguishes it from the other runs
/// plotted with it, the configuration it shares with other seeds (one colour and one mean ± sd band in the
/// figures) and the panel it is drawn in (the dataset, when the spec sweeps it).
public struct FigureRun: Sendable {
    public var planned: PlannedRun
    public var record: RunRecord
    public var folder: String
    /// The configuration and seed ("GFE-amd, seed=2021"; "run <id>" when nothing differs), and whether it failed.
    public var label: String
    /// The configuration without seed and panel: runs with the same group are seeds of one configuration.
    public var group: String
    /// The dataset's label when the spec sweeps the dataset; nil otherwise.
    public var panel: String?

    public var id: String { planned.id }
    public var config: TrainingConfig { planned.config }
    public var curvesPath: String { folder + "/curves.csv" }
    public var hdf5Path: String { folder + "/run.h5" }

    public var failed: Bool { record.status == .failed }

    /// The runs of `plan` that figures draw, in plan order: the finished ones and the failed ones, named by
    /// `RunNames`. A failed run keeps what it stored before it stopped, and where it stopped is a result (a
    /// fixed-grid GFE diverging is paper figure 3's point), so it is drawn, its label saying so.
    public static func plotted(plan: ExperimentPlan, store: RunStore) -> [FigureRun] {
        plan.runs.compactMap { r in
            let record: RunRecord
            switch store.state(of: r.id) {
            case .finished(let stored), .failed(let stored): record = stored
            default: return nil
            }
            let names = RunNames(r, in: plan)
            var label = names.label
            if record.status == .failed { label += " (failed after iteration \(record.iterations))" }
            return FigureRun(
                planned: r, record: record, folder: store.runFolder(r.id), label: label, group: names.group,
                panel: names.panel)
        }
    }

    /// One run per configuration (panel and group), the first seed's: reconstructions and maps are of single
    /// runs, not averaged, and several seeds of one configuration would repeat a row under one name.
    public static func firstSeeds(_ runs: [FigureRun]) -> [FigureRun] {
        var seen = Set<String>()
        return runs.filter { seen.insert(($0.panel ?? "") + "\u{1}" + $0.group).inserted }
    }
}
