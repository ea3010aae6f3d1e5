import GFECore
import GFETraining

/// `--seeds`: the seeds of an experiment chosen on the command line instead of in its spec's `seeds`.
///
/// - `N` (a count): N seeds, the spec's own first (or the base configuration's `seed`, or the default 2020)
///   and the integers after it: `--seeds 3` on a spec with `"seeds": [2020]` runs 2020, 2021 and 2022, so its
///   first run is the spec's own run (same id, reused when finished).
/// - `a,b,c` (a list): exactly these seeds.
/// - One seed other than the spec's is `--set seed=S` (a set field replaces its sweep), not `--seeds`.
///
/// It applies to every command that plans (`run`, `status`, `table`, `plot`, `plan`, `resolve`): give it to
/// each, as with `--set`, so they see the same runs.
public struct SeedChoice: Sendable, Equatable {
    enum Form: Sendable, Equatable {
        case count(Int)
        case list([UInt64])
    }

    let form: Form
    /// The argument as given (for messages and worker processes).
    public let argument: String

    /// The most seeds a count may ask for (a guard against a typo such as `--seeds 2020`).
    public static let maxCount = 1000

    public init(parsing argument: String) throws {
        let text = argument.trimmingSpaceCharacters
        self.argument = text
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map {
            String($0).trimmingSpaceCharacters
        }
        // One seed alone ("2021", "2021,") is neither a count nor a list: say how to run it.
        let seedsGiven = parts.filter { !$0.isEmpty }
        var oneSeed = ""
        if seedsGiven.count == 1, let seed = UInt64(seedsGiven[0]), parts.count > 1 || seed > Self.maxCount {
            oneSeed = "; to run the single seed \(seed), use --set seed=\(seed)"
        }
        if parts.count == 1 {
            guard let n = Int(parts[0]), n >= 1, n <= Self.maxCount else {
                throw GFEError.badInput(
                    "--seeds '\(argument)': give a count from 1 to \(Self.maxCount) (e.g. --seeds 3) "
                        + "or a comma-separated list of seeds (e.g. --seeds 2020,2021,2022)\(oneSeed)")
            }
            form = .count(n)
            return
        }
        var seeds: [UInt64] = []
        var given = Set<UInt64>()
        for part in parts {
            guard let seed = UInt64(part) else {
                throw GFEError.badInput(
                    "--seeds '\(argument)': '\(part)' is not a seed; expected non-negative integers "
                        + "below 2^64 separated by commas, e.g. --seeds 2020,2021,2022\(oneSeed)")
            }
            guard given.insert(seed).inserted else {
                throw GFEError.badInput("--seeds '\(argument)': seed \(seed) is given twice")
            }
            seeds.append(seed)
        }
        form = .list(seeds)
    }

    /// The seeds for `spec`.
    func seeds(for spec: ExperimentSpec) throws -> [UInt64] {
        switch form {
        case .list(let seeds): return seeds
        case .count(let n):
            let first: UInt64
            if let dimension = spec.sweep.dimension(of: ConfigPath(["seed"])),
                let index = dimension.paths.firstIndex(of: ConfigPath(["seed"])),
                let value = dimension.values[index].first?.uint64Value
            {
                first = value
            } else if let value = spec.base["seed"]?.uint64Value {
                first = value
            } else {
                first = TrainingConfig().seed
            }
            guard first <= UInt64.max - UInt64(n - 1) else {
                throw GFEError.badInput(
                    "--seeds \(n): the seeds after \(first) would pass 2^64 − 1; give a list instead")
            }
            return (0..<UInt64(n)).map { first + $0 }
        }
    }

    /// `spec` with its seeds replaced: the seed axis (added last, varied fastest, as the spec's own `seeds`).
    /// A spec that sweeps `seed` inside `sweep` (not through `seeds`) cannot take `--seeds`.
    public func apply(to spec: ExperimentSpec) throws -> ExperimentSpec {
        let seedPath = ConfigPath(["seed"])
        var out = spec
        if let d = spec.sweep.dimension(of: seedPath), d.locations != ["$.seeds"] {
            throw GFEError.badInput(
                "--seeds: \(spec.source) sweeps 'seed' in $.sweep; --seeds replaces only a spec's "
                    + "\"seeds\" (use --set seed=N to fix the seed instead)")
        }
        out.sweep = spec.sweep.removing(seedPath)
        let values = try seeds(for: spec).map { JSONValue($0) }
        out.sweep.dimensions.append(SweepDimension(paths: [seedPath], values: [values], locations: ["--seeds"]))
        return out
    }
}
