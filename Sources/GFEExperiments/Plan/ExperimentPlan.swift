import GFECore
import GFEData
import GFETraining

/// One run of a plan: a resolved sweep point, what it stores and its id; everything a process needs to
/// compute it without the spec.
public struct PlannedRun: Sendable {
    public var point: ResolvedPoint
    /// 12 hexadecimal digits (see `RunID`).
    public var id: String
    /// The data fingerprint hashed into the id (`Dataset.fingerprint`).
    public var dataFingerprint: String
    /// The experiment's name: its folder in the results root.
    public var experiment: String
    public var outputs: OutputSettings

    /// What progress lines call the run: the spec's names of its swept values ("GFE-amd, seed=2021",
    /// `RunNames.label`), or its swept values where it was sent without its plan.
    public var name: String

    public var index: Int { point.index }
    public var config: TrainingConfig { point.config }
    /// Its swept values as the spec gives them ("method=gfe seed=2021"): what run records and `gfe resolve` show.
    public var label: String { point.label }
    /// "[3] 5cf6ea9e98d1 GFE-amd, seed=2021": how every progress and log line about the run starts (the Slurm
    /// follower reads a task's progress from its log by this prefix).
    public var logPrefix: String { "[\(index)] \(id) \(name)" }
}

/// What a run id depends on besides the configuration: the code and the data.
public struct RunIdentityContext: Sendable {
    /// See `CodeVersion`.
    public var codeVersion: String
    /// The fingerprint of a configuration's data (`LoadedData.fingerprint`), possibly from a cache; it
    /// throws when the data are bad or do not suit the configuration (`DataFingerprints`).
    public var fingerprint: @Sendable (TrainingConfig) throws -> String

    public init(codeVersion: String, fingerprint: @escaping @Sendable (TrainingConfig) throws -> String) {
        self.codeVersion = codeVersion
        self.fingerprint = fingerprint
    }
}

/// Run ids: the first 12 hexadecimal digits of the SHA-256 of
///
///     gfe-run-id/2
///     config <canonical JSON of the resolved TrainingConfig>
///     outputs <canonical JSON of the spec's outputs>
///     data <data fingerprint>
///     code <code version>
///     arithmetic <RowGemm.arithmetic>
///
/// (lines joined by "\n"). Canonical JSON has sorted keys, no spaces and canonical numbers
/// (`JSONValue.canonicalText`), so the id does not depend on how a spec writes a value, on defaults being
/// spelled out or not, on the experiment's name, or on the run's position in the plan. The arithmetic line
/// keeps runs of another Float arithmetic (one whose numbers differ) apart even when `GFE_CODE_VERSION` pins the
/// code version; the machine and code path are not in the id because they do not change a number.
public enum RunID {
    public static func make(
        config: JSONValue, outputs: JSONValue, dataFingerprint: String, codeVersion: String,
        arithmetic: String = RowGemm.arithmetic
    ) -> String {
        let text = [
            "gfe-run-id/2", "config " + config.canonicalText, "outputs " + outputs.canonicalText,
            "data " + dataFingerprint, "code " + codeVersion, "arithmetic " + arithmetic
        ].joined(separator: "\n")
        return String(Checksum.sha256(text).prefix(12))
    }
}

/// The run plan of an experiment: every sweep point with its run id, in sweep order.
public struct ExperimentPlan: Sendable {
    public var experiment: ResolvedExperiment
    public var runs: [PlannedRun]
    public var codeVersion: String

    public var spec: ExperimentSpec { experiment.spec }
    public var name: String { experiment.spec.name }

    public init(_ experiment: ResolvedExperiment, identity: RunIdentityContext) throws {
        self.experiment = experiment
        codeVersion = identity.codeVersion
        var fingerprints: [DatasetID: String] = [:]
        var runs: [PlannedRun] = []
        for point in experiment.points {
            let fingerprint: String
            if case .builtin(let dataset) = point.config.data.source {
                fingerprint = try fingerprints[dataset] ?? identity.fingerprint(point.config)
                fingerprints[dataset] = fingerprint
            } else {
                fingerprint = try identity.fingerprint(point.config)  // also checks the config against the files
            }
            let id = RunID.make(
                config: point.resolved, outputs: experiment.spec.outputs.json,
                dataFingerprint: fingerprint, codeVersion: identity.codeVersion)
            // Where nothing varies, the swept values (the prefix shows the id already).
            let name = RunNames(point, id: id, in: experiment).swept ?? point.label
            runs.append(
                PlannedRun(
                    point: point, id: id, dataFingerprint: fingerprint, experiment: experiment.spec.name,
                    outputs: experiment.spec.outputs, name: name))
        }
        self.runs = runs
    }

    /// The run at plan index `index`; a bad index names the plan's size.
    public func run(at index: Int) throws -> PlannedRun {
        try Self.check(index: index, of: experiment)
        return runs[index]
    }

    /// Checks a plan index against the experiment's points, before any run id (or data fingerprint) is made.
    public static func check(index: Int, of experiment: ResolvedExperiment) throws {
        let count = experiment.points.count
        guard !(0..<count).contains(index) else { return }
        throw GFEError.badInput(
            "--index \(index): the plan of \(experiment.spec.name) has \(count) run\(count == 1 ? "" : "s"), "
                + "indices 0…\(count - 1) (list them with `gfe resolve \(experiment.spec.source)`)")
    }

    /// The plan listing: one line per run, "index  run id  swept values".
    public var listing: String {
        let width = String(max(runs.count - 1, 0)).count
        return runs.map { r in
            String(repeating: " ", count: width - String(r.index).count) + "\(r.index)  \(r.id)  \(r.label)"
        }.joined(separator: "\n")
    }
}
