import GFECore
import GFETraining

/// A command-line override `--set PATH=VALUE` of one field of every run's configuration, e.g.
/// `--set budget.iterations=20`, `--set encoder.preset=paper`, `--set seed=3`,
/// `--set 'checkpoints.imagesSeen=[16,32]'`.
///
/// VALUE is read as JSON when it is JSON (numbers, true/false, null, arrays, objects, "quoted strings"),
/// otherwise as a plain string (`paper`). Overrides apply to every sweep point after its swept values;
/// overriding a swept field fixes it (its axis is dropped from the sweep).
public struct ConfigOverride: Sendable, Equatable {
    public var path: ConfigPath
    public var value: JSONValue
    /// The argument as given, for messages and for passing on to worker processes.
    public var argument: String

    public init(parsing argument: String) throws {
        guard let eq = argument.firstIndex(of: "="), eq != argument.startIndex else {
            throw GFEError.badInput("--set '\(argument)' is not PATH=VALUE (e.g. --set budget.iterations=20)")
        }
        let key = String(argument[..<eq]).trimmingSpaceCharacters
        let text = String(argument[argument.index(after: eq)...]).trimmingSpaceCharacters
        path = try ConfigPath(parsing: key, what: "--set '\(argument)'")
        do {
            value = try JSONParser.parse(text, source: "--set '\(argument)'")
        } catch let error as ReportableError where Double(text) != nil {
            throw error  // a number JSON cannot hold (1e400): not a plain string either
        } catch {
            value = .string(text)
        }
        self.argument = argument
    }

    /// Parses every argument, rejecting a path given twice.
    public static func parse(_ arguments: [String]) throws -> [ConfigOverride] {
        let overrides = try arguments.map(ConfigOverride.init(parsing:))
        for (i, o) in overrides.enumerated() {
            if let other = overrides[..<i].first(where: { o.path.isWithin($0.path) || $0.path.isWithin(o.path) }) {
                throw GFEError.badInput("--set '\(o.argument)' overlaps --set '\(other.argument)'; set each field once")
            }
        }
        return overrides
    }
}

extension String {
    /// The string without leading and trailing spaces.
    var trimmingSpaceCharacters: String {
        let c: Character = " "
        guard let first = firstIndex(where: { $0 != c }), let last = lastIndex(where: { $0 != c }) else { return "" }
        return String(self[first...last])
    }
}
