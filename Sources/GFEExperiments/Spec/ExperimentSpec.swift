import Foundation
import GFECore
import GFETraining

/// An experiment spec: a base configuration, what to sweep, what to store, and how to tabulate and compare
/// the results (docs/specs.md).
///
///     {"name": "encoders", "description": "AMD vs fixed grid",
///      "base": {"batchSize": 16, "budget": {"iterations": 100}, "data": {"trainLimit": 1600}},
///      "sweep": {"axes": {"encoder.method": ["amd", "fixedGrid"]}},
///      "seeds": [1, 2]}
///
/// Reading checks the spec's own structure (unknown fields, types, the sweep's shape, table and
/// reference); `ExperimentPlan` then checks every run's configuration with the strict `TrainingConfig`
/// decoding. Nothing is written by either.
public struct ExperimentSpec: Sendable {
    /// The experiment's name: its folder under the results root. Defaults to the file's base name.
    public var name: String
    public var description: String?
    /// The fields of `TrainingConfig` every run starts from (absent fields take its defaults).
    public var base: JSONObject
    public var sweep: Sweep
    public var outputs: OutputSettings
    public var table: TablePivot?
    public var reference: ReferenceSettings?
    /// The file the spec was read from (for messages) and its folder (for relative paths in it).
    public var source: String
    public var folder: String

    static let fields = ["name", "description", "base", "sweep", "seeds", "outputs", "table", "reference"]

    /// Reads and checks the spec at `path`. Errors (exit 2) name the file and the JSON location.
    public static func load(_ path: String) throws -> ExperimentSpec {
        // A device or a pipe would be read without end (or block); a spec is a file.
        var info = stat()
        if stat(path, &info) == 0, (info.st_mode & S_IFMT) != S_IFREG, (info.st_mode & S_IFMT) != S_IFDIR {
            throw GFEError.badInput(
                "spec \(path) is not a regular file (a device or a pipe); give a spec file (experiments/NAME.json)")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
            throw GFEError.badInput(
                exists && isDirectory.boolValue
                    ? "\(path) is a folder; give the path of a spec file (experiments/NAME.json)"
                    : "spec \(path): no such file (specs live in experiments/, e.g. experiments/table1.json)")
        }
        let text = String(decoding: data, as: UTF8.self)
        return try parse(text, source: path)
    }

    /// Reads and checks spec text; `source` is its file path (relative paths inside resolve against its folder).
    public static func parse(_ text: String, source: String) throws -> ExperimentSpec {
        let root = try JSONParser.parse(text, source: source)
        let r = try SpecReader(root, at: "$", source: source, allowed: fields)
        let fileName = (source as NSString).lastPathComponent
        let defaultName = fileName.hasSuffix(".json") ? String(fileName.dropLast(5)) : fileName
        let name = try r.string("name") ?? defaultName
        try checkName(name, location: r.object.contains("name") ? "$.name" : "the file name", source: source)
        let base: JSONObject
        switch r["base"] {
        case nil: base = JSONObject()
        case .object(let o)?: base = o
        case let other?: throw r.wrongType("$.base", other, "an object of training-config fields (docs/specs.md)")
        }
        let sweep = try Sweep.read(sweep: r["sweep"], seeds: r["seeds"], source: source)
        let folder = (source as NSString).deletingLastPathComponent
        return ExperimentSpec(
            name: name, description: try r.string("description"), base: base, sweep: sweep,
            outputs: try OutputSettings.read(r["outputs"], source: source),
            table: try TablePivot.read(r["table"], sweep: sweep, source: source),
            reference: try ReferenceSettings.read(r["reference"], folder: folder, source: source),
            source: source, folder: folder)
    }

    /// Experiment names become folder names: letters, digits, `.`, `_` and `-`, not starting with a dot.
    static func checkName(_ name: String, location: String, source: String) throws {
        let ok =
            !name.isEmpty && name.count <= 100 && !name.hasPrefix(".")
            && name.unicodeScalars.allSatisfy { s in
                (s >= "a" && s <= "z") || (s >= "A" && s <= "Z") || (s >= "0" && s <= "9") || s == "." || s == "_"
                    || s == "-"
            }
        guard ok else {
            throw GFEError.badInput(
                "\(source): \(location): the experiment name \"\(name)\" must be 1–100 letters, digits, "
                    + "'.', '_' or '-', not starting with '.' (it names the results folder)")
        }
    }
}
