import Foundation
import GFECore
import GFEData
import GFETraining

/// One sweep point with its configuration checked and resolved (every default filled in).
public struct ResolvedPoint: Sendable {
    /// Position in the plan (0-based): the `--index` of the run.
    public var index: Int
    /// The swept values of this point (after overrides).
    public var values: [SweepValue]
    public var config: TrainingConfig
    /// The fields as written: base, then swept values, then overrides (what table conditions match).
    public var input: JSONValue
    /// The resolved configuration as JSON (`TrainingConfig`'s encoding), keys sorted.
    public var resolved: JSONValue

    /// The swept values as one JSON object keyed by field path (run.json's `swept`, plans and listings).
    public var sweptObject: JSONObject {
        var swept = JSONObject()
        for v in values { swept[v.path.description] = v.value }
        return swept
    }

    /// "method=gfe seed=1": the swept values for listings ("(no swept fields)" when there are none).
    public var label: String {
        values.isEmpty ? "(no swept fields)" : values.map { "\($0.path)=\($0.value.shortText)" }.joined(separator: " ")
    }

    /// The swept values other than the seed: the point's identity in a table.
    public var pointValues: [SweepValue] { values.filter { $0.path != ConfigPath(["seed"]) } }
}

/// A spec with overrides applied, expanded into its sweep points, each checked by the strict
/// `TrainingConfig` decoding. Errors are `GFEError.badInput` naming the spec file and where the bad value
/// came from: `$.base`, a `--set` override, or the sweep values of the first failing run.
public struct ResolvedExperiment: Sendable {
    public var spec: ExperimentSpec
    public var overrides: [ConfigOverride]
    /// The sweep after overrides (an overridden field is no longer swept).
    public var sweep: Sweep
    public var points: [ResolvedPoint]

    public init(spec: ExperimentSpec, overrides: [ConfigOverride] = []) throws {
        self.spec = spec
        self.overrides = overrides
        var sweep = spec.sweep
        for o in overrides { sweep = sweep.removing(o.path) }
        self.sweep = sweep
        let source = spec.source
        try sweep.checkSize(source: source)

        var points: [ResolvedPoint] = []
        var seen: [String: Int] = [:]
        // Points that differ only in their seed (`seeds`, --seeds) share one decoding: the seed is a plain
        // integer that no other check reads, so a large seed sweep is checked in linear time at little cost
        // per point.
        var decodedWithoutSeed: [String: (config: TrainingConfig, resolved: JSONValue)] = [:]
        for (i, values) in sweep.points.enumerated() {
            let input = try Self.merge(spec.base, values: values, overrides: overrides, source: source)
            let config: TrainingConfig
            let resolved: JSONValue
            let seedless = Self.withoutSeed(input)
            if let seedless, let seed = Self.seed(of: input), let shared = decodedWithoutSeed[seedless] {
                config = {
                    var c = shared.config
                    c.seed = seed
                    return c
                }()
                resolved = Self.settingSeed(seed, in: shared.resolved)
            } else {
                do {
                    config = try Self.decode(input)
                } catch let error as ReportableError {
                    throw Self.attribute(error, at: i, values: values, spec: spec, overrides: overrides)
                }
                resolved = try Self.resolvedJSON(config)
                if let seedless { decodedWithoutSeed[seedless] = (config, resolved) }
            }
            try Self.checkOutputs(spec.outputs, config: config, run: i, values: values, source: source)
            let key = resolved.canonicalText
            if let j = seen[key] {
                throw GFEError.badInput(
                    "\(source): runs \(j) and \(i) resolve to the same configuration "
                        + "(\(points[j].label) and \(ResolvedPoint(index: i, values: values, config: config, input: input, resolved: resolved).label)); "
                        + "a swept value has no effect or an override replaces it")
            }
            seen[key] = i
            points.append(ResolvedPoint(index: i, values: values, config: config, input: input, resolved: resolved))
        }
        self.points = points
        if let table = spec.table { try checkTable(table) }
    }

    /// Base fields, then the swept values, then the overrides.
    static func merge(_ base: JSONObject, values: [SweepValue], overrides: [ConfigOverride], source: String) throws
        -> JSONValue
    {
        var json = JSONValue.object(base)
        for v in values {
            json = try v.path.setting(v.value, in: json, where: "\(source): \(v.location)").replacingBudget(v.path)
        }
        for o in overrides {
            json = try o.path.setting(o.value, in: json, where: "--set '\(o.argument)'").replacingBudget(o.path)
        }
        // An encoder object without "method" is the default encoder's (AMD), so sweeping `encoder.beta`
        // or writing {"encoder": {"tau": 50}} needs no "method": "amd" (docs/specs.md).
        if case .object(var root) = json, case .object(var encoder)? = root["encoder"], encoder["method"] == nil {
            encoder["method"] = .string("amd")
            root["encoder"] = .object(encoder)
            json = .object(root)
        }
        return json
    }

    /// The canonical text of a point's fields without "seed" (nil when they are not an object).
    static func withoutSeed(_ input: JSONValue) -> String? {
        guard case .object(var root) = input else { return nil }
        root["seed"] = nil
        return JSONValue.object(root).canonicalText
    }

    /// The seed a point's fields give, when it is one the strict decoding accepts (absent: the default).
    static func seed(of input: JSONValue) -> UInt64? {
        guard case .object(let root) = input else { return nil }
        guard let value = root["seed"] else { return TrainingConfig().seed }
        return value.uint64Value
    }

    static func settingSeed(_ seed: UInt64, in resolved: JSONValue) -> JSONValue {
        guard case .object(var root) = resolved else { return resolved }
        root["seed"] = JSONValue(seed)
        return .object(root)
    }

    /// The strict `TrainingConfig` decoding, straight from the parsed value.
    static func decode(_ json: JSONValue) throws -> TrainingConfig {
        do {
            return try JSONValueDecoder.decode(TrainingConfig.self, from: json)
        } catch let error as ReportableError {
            throw error
        } catch {
            throw GFEError.badInput("\(TrainingConfig.messageSubject): \(error)")
        }
    }

    /// The config as TrainingConfig encodes it, keys sorted: what the run id hashes.
    static func resolvedJSON(_ config: TrainingConfig) throws -> JSONValue {
        try JSONValueEncoder.encode(config).sortedRecursively
    }

    /// Names the place a config error came from: the base alone, the overrides, or this run's swept values.
    static func attribute(
        _ error: ReportableError, at index: Int, values: [SweepValue], spec: ExperimentSpec,
        overrides: [ConfigOverride]
    ) -> GFEError {
        let message = withoutSubject(error.message)
        func fails(_ values: [SweepValue], _ overrides: [ConfigOverride]) -> Bool {
            guard let json = try? merge(spec.base, values: values, overrides: overrides, source: spec.source) else {
                return false
            }
            do {
                _ = try decode(json)
                return false
            } catch let e as ReportableError {
                return withoutSubject(e.message) == message
            } catch { return false }
        }
        let source = spec.source
        if !values.isEmpty || !overrides.isEmpty, fails([], []) {
            return .badInput("\(source): $.base: \(message)")
        }
        if !overrides.isEmpty, fails([], overrides) {
            return .badInput(
                "\(source): with " + overrides.map { "--set '\($0.argument)'" }.joined(separator: " ")
                    + ": \(message)")
        }
        if values.isEmpty {
            let place =
                overrides.isEmpty
                ? "$.base" : "$.base with " + overrides.map { "--set '\($0.argument)'" }.joined(separator: " ")
            return .badInput("\(source): \(place): \(message)")
        }
        let swept = values.map { "\($0.path) = \($0.value.canonicalText.clipped) at \($0.location)" }.joined(
            separator: ", ")
        return .badInput("\(source): run \(index) (\(swept)): \(message)")
    }

    /// A training-config message without its leading "training config: " (a spec message names the place
    /// itself). The decoders' messages carry their own did-you-mean suggestions.
    static func withoutSubject(_ message: String) -> String {
        let subject = TrainingConfig.messageSubject + ": "
        return message.hasPrefix(subject) ? String(message.dropFirst(subject.count)) : message
    }

    static func checkOutputs(
        _ outputs: OutputSettings, config: TrainingConfig, run: Int, values: [SweepValue], source: String
    ) throws {
        try outputs.solveCurves?.check(config, run: run, source: source)
        guard !outputs.latents.isEmpty else { return }
        if config.checkpoints.imagesSeen.isEmpty && !config.checkpoints.atEnd {
            throw GFEError.badInput(
                "\(source): $.outputs.latents: latents are stored at checkpoints, and run \(run) has none; "
                    + "set checkpoints.imagesSeen or \"checkpoints\": {\"atEnd\": true} in $.base")
        }
        if outputs.latents.contains(.validation) && !config.data.source.splits.contains(.validation) {
            throw GFEError.badInput(
                "\(source): $.outputs.latents: \"validation\" needs a validation set, and "
                    + "\(config.data.source.name) (run \(run)) has none")
        }
    }

    /// Every table column must select runs of one sweep point per row, and its metric must be one those
    /// runs report.
    func checkTable(_ table: TablePivot) throws {
        let source = spec.source
        var indexPath: ConfigPath?
        if case .path(let p, _) = table.index {
            indexPath = p
            guard sweep.paths.contains(p) else {
                throw GFEError.badInput(
                    "\(source): $.table.index: '\(p)' is fixed by an override, so it cannot index the table's rows")
            }
        }
        for column in table.columns {
            let matched = points.filter { column.matches($0) }
            guard !matched.isEmpty else {
                throw GFEError.badInput(
                    "\(source): \(column.location): column \"\(column.name)\" matches no run "
                        + "(an override may fix a field its \"where\" names)")
            }
            let groups = Set(
                matched.map { p in
                    p.pointValues.filter { $0.path != indexPath }.map { "\($0.path)=\($0.value.canonicalText)" }
                })
            if groups.count > 1 {
                let free = sweep.paths.filter { path in
                    path != ConfigPath(["seed"]) && path != indexPath && !column.conditions.contains { $0.path == path }
                }
                throw GFEError.badInput(
                    "\(source): \(column.location).where: column \"\(column.name)\" matches runs of "
                        + "\(groups.count) different sweep points; fix "
                        + free.map { "'\($0)'" }.joined(separator: ", ")
                        + " in its \"where\" so each cell averages seeds of one point")
            }
            for p in matched {
                let available = RunMetrics.checkpointMetrics(for: p.config)
                guard available.contains(column.metric) else {
                    throw GFEError.badInput(
                        "\(source): \(column.location).metric: \"\(column.metric)\" is not reported by run "
                            + "\(p.index) (\(p.label))\(didYouMean(column.metric, among: available)); its "
                            + "checkpoints report " + available.map { "\"\($0)\"" }.joined(separator: ", "))
                }
            }
        }
    }
}

extension TablePivot.Column {
    /// Whether the point's fields as written have this column's values.
    public func matches(_ point: ResolvedPoint) -> Bool {
        conditions.allSatisfy { $0.path.value(in: point.input) == $0.value }
    }
}

extension JSONValue {
    /// After `path` was set: a budget holds one kind, so setting `budget.iterations` in a spec whose budget is
    /// `{"imagesSeen": 5760}` replaces the budget instead of giving it two kinds (docs/specs.md).
    func replacingBudget(_ path: ConfigPath) -> JSONValue {
        guard path.components.count == 2, path.components[0] == "budget",
            TrainingBudget.kindNames.contains(path.components[1]),
            case .object(var root) = self, case .object(var budget)? = root["budget"]
        else { return self }
        for kind in TrainingBudget.kindNames where kind != path.components[1] { budget[kind] = nil }
        root["budget"] = .object(budget)
        return .object(root)
    }
}
