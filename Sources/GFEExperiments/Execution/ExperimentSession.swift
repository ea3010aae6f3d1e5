import Foundation
import GFECore
import GFEData
import GFETraining

/// A spec opened for a command: read and checked, overrides applied, planned with run ids, and its run
/// store located. Everything the experiment commands share.
public struct ExperimentSession: Sendable {
    public var plan: ExperimentPlan
    public var store: RunStore
    public var code: CodeVersion
    public var locator: DataLocator

    /// - Parameters:
    ///   - writeCache: whether data fingerprints computed now are cached under the results root (`gfe run`);
    ///     the read-only commands only read the cache.
    ///   - checkDirty: ask git whether the checkout has uncommitted changes (recorded in run.json).
    ///   - index: the one run a command will use (`--index`), checked first.
    public static func open(
        spec path: String, overrides: [String], seeds: String? = nil, resultsRoot: String,
        toolVersion: String, writeCache: Bool = false, checkDirty: Bool = false,
        locator: DataLocator = .standard(), index: Int? = nil
    ) throws -> ExperimentSession {
        var spec = try ExperimentSpec.load(path)
        let parsedOverrides = try ConfigOverride.parse(overrides)
        if let seeds {
            if let fixed = parsedOverrides.first(where: { $0.path == ConfigPath(["seed"]) }) {
                throw GFEError.badInput("--seeds \(seeds) and --set '\(fixed.argument)' both choose the seed; give one")
            }
            spec = try SeedChoice(parsing: seeds).apply(to: spec)
        }
        let experiment = try ResolvedExperiment(spec: spec, overrides: parsedOverrides)
        // A bad --index is refused before anything (the fingerprint cache) is written.
        if let index { try ExperimentPlan.check(index: index, of: experiment) }
        let code = CodeVersion.detect(toolVersion: toolVersion, checkDirty: checkDirty)
        let fingerprints = DataFingerprints(
            locator: locator, cacheFile: DataFingerprints.cacheFile(resultsRoot: resultsRoot),
            writable: writeCache)
        let plan = try ExperimentPlan(
            experiment,
            identity: RunIdentityContext(
                codeVersion: code.id,
                fingerprint: fingerprints.provider))
        return ExperimentSession(
            plan: plan, store: RunStore(root: resultsRoot, experiment: spec.name), code: code,
            locator: locator)
    }

    /// The resolved configuration of the first run and the plan listing (`gfe resolve`).
    public var resolution: String {
        let e = plan.experiment
        var lines = ["experiment: \(plan.name)  (\(plan.spec.source))"]
        if let d = plan.spec.description { lines.append("description: \(d)") }
        if !e.overrides.isEmpty {
            lines.append("overrides: " + e.overrides.map { "--set \($0.argument)" }.joined(separator: " "))
        }
        lines.append("code version: \(code.id)")
        lines.append("outputs: \(plan.spec.outputs.json.canonicalText)")
        let swept = e.sweep.paths.map(\.description)
        lines.append("")
        lines.append(
            swept.isEmpty
                ? "resolved config:"
                : "resolved config of run 0 (the other runs differ only in "
                    + swept.joined(separator: ", ") + "):")
        if let first = plan.runs.first { lines.append(first.point.resolved.prettyText()) }
        lines.append("")
        lines.append("plan: \(plan.runs.count) run\(plan.runs.count == 1 ? "" : "s") → \(store.folder)/<run id>/")
        lines.append(plan.listing)
        return lines.joined(separator: "\n")
    }
}
