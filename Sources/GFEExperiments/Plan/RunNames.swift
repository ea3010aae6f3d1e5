import GFETraining

/// What a planned run is called in figures and listings, from the spec's sweep labels
/// (`SweepDimension.label`) of the dimensions that vary: the full label ("GFE-amd, seed=2021"), the
/// configuration it shares with its other seeds ("GFE-amd"; with the dataset when that is swept), the group
/// within a panel (without the dataset) and the panel (the dataset's label, when the spec sweeps it).
public struct RunNames: Sendable, Equatable {
    /// The labels of the values that vary, joined ("GFE-amd, seed=2021"); nil where nothing varies.
    public var swept: String?
    /// `swept`, or the run id where nothing varies.
    public var label: String
    public var configuration: String
    public var group: String
    public var panel: String?

    /// The path whose swept values become panels.
    static let panelPath = ConfigPath(["data", "dataset"])
    static let seedPath = ConfigPath(["seed"])

    /// The names of `run` in `plan`. With nothing but seeds varying, every run is one configuration named
    /// after the experiment; with nothing varying, the label is the run id.
    public init(_ run: PlannedRun, in plan: ExperimentPlan) {
        self.init(run.point, id: run.id, in: plan.experiment)
    }

    /// The names of the sweep point `point` of `experiment`, whose run id is `id`.
    init(_ point: ResolvedPoint, id: String, in experiment: ResolvedExperiment) {
        var all: [String] = []
        var group: [String] = []
        var panel: String?
        for d in experiment.sweep.dimensions where d.count > 1 {
            guard let k = d.stepIndex(in: point.values) else { continue }
            let name = d.label(k)
            all.append(name)
            if d.paths.contains(Self.panelPath) {
                panel = name
            } else if !d.paths.contains(Self.seedPath) {
                group.append(name)
            }
        }
        swept = all.isEmpty ? nil : all.joined(separator: ", ")
        label = swept ?? "run \(id)"
        self.group = group.isEmpty ? experiment.spec.name : group.joined(separator: ", ")
        self.panel = panel
        configuration = ([panel].compactMap { $0 } + group).joined(separator: ", ")
        if configuration.isEmpty { configuration = experiment.spec.name }
    }
}
