import Foundation

/// The commands that reproduce an experiment, read from the repository's own `Makefile` and
/// `scripts/reproduce.sh` (so the report page never names a target that does not exist):
/// - the script's groups, lines such as `table2) specs+=(table2-mnist table2-segmented-mnist …) ;;`;
/// - the Makefile's targets whose recipe calls `$(REPRODUCE) NAMES…` (the script).
/// An experiment gets the smallest make target that runs it, else `scripts/reproduce.sh NAME` when its spec is
/// `experiments/NAME.json`, else the `gfe` commands on its spec.
struct ReproduceCommands: Sendable {
    /// Make target → the spec names its recipe runs, in the order the Makefile lists the targets.
    var targets: [(target: String, specs: [String])]
    /// Spec names in the order the Makefile's targets run them (the page's order of experiments).
    var order: [String] { targets.flatMap(\.specs).reduce(into: []) { if !$0.contains($1) { $0.append($1) } } }
    /// Whether scripts/reproduce.sh exists.
    var hasScript: Bool
    /// The repository folder (holding Makefile, scripts/, experiments/), if found.
    var repository: String?

    init(repository: String?) {
        self.repository = repository
        guard let repository else {
            targets = []
            hasScript = false
            return
        }
        let script = try? String(contentsOfFile: repository + "/scripts/reproduce.sh", encoding: .utf8)
        hasScript = script != nil
        var groups: [String: [String]] = [:]
        for line in (script ?? "").split(separator: "\n") {
            let text = line.trimmingCharacters(in: .whitespaces)
            guard let close = text.firstIndex(of: ")"), let open = text.range(of: "specs+=("),
                open.lowerBound > close, let end = text[open.upperBound...].firstIndex(of: ")")
            else { continue }
            let name = String(text[..<close])
            guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
                continue
            }
            let specs = text[open.upperBound..<end].split(separator: " ").map(String.init)
            groups[name] = specs
        }
        var targets: [(String, [String])] = []
        let lines = ((try? String(contentsOfFile: repository + "/Makefile", encoding: .utf8)) ?? "")
            .split(separator: "\n", omittingEmptySubsequences: false)
        for (i, line) in lines.enumerated() where i + 1 < lines.count {
            guard let colon = line.firstIndex(of: ":"), !line.hasPrefix("\t"), !line.hasPrefix("#"),
                let call = lines[i + 1].range(of: "$(REPRODUCE)")
            else { continue }
            let target = String(line[..<colon])
            guard !target.contains(" "), !target.contains("=") else { continue }
            let names = lines[i + 1][call.upperBound...].split(separator: " ").map(String.init)
            targets.append((target, names.flatMap { groups[$0] ?? [$0] }))
        }
        self.targets = targets
    }

    /// The command that reproduces `experiment` (spec at `specPath`), with the options a table variant's file
    /// name carries (`table-paper-seeds3.csv`: the paper's preset, three seeds).
    func command(for experiment: String, specPath: String?, tableFile: String? = nil) -> String {
        let variant = Self.variant(of: tableFile)
        if let best = targets.filter({ $0.specs.contains(experiment) }).min(by: { $0.specs.count < $1.specs.count }) {
            let options =
                (variant.preset.map { " PRESET=\($0)" } ?? "") + (variant.seeds.map { " SEEDS=\($0)" } ?? "")
            return "make \(best.target)\(options)"
        }
        if hasScript, let repository, let specPath,
            HTMLText.absolute(specPath) == HTMLText.absolute(repository + "/experiments/\(experiment).json")
        {
            let options =
                (variant.seeds.map { " --seeds \($0)" } ?? "") + (variant.preset.map { " --preset \($0)" } ?? "")
            return "scripts/reproduce.sh\(options) \(experiment)"
        }
        let spec = specPath ?? "experiments/\(experiment).json"
        var args = " " + spec
        if let seeds = variant.seeds { args += " --seeds \(seeds)" }
        if let preset = variant.preset { args += " --set encoder.preset=\(preset)" }
        return "gfe run\(args) && gfe table\(args) && gfe plot\(args)"
    }

    /// The preset and seed count a table file's name says it was made with (scripts/reproduce.sh names them
    /// `table-paper.csv`, `table-seeds3.csv`, `table-paper-seeds3.csv`).
    static func variant(of tableFile: String?) -> (preset: String?, seeds: Int?) {
        guard let name = tableFile, name.hasPrefix("table-"), name.hasSuffix(".csv") else { return (nil, nil) }
        let parts = name.dropFirst(6).dropLast(4).split(separator: "-")
        let preset = parts.contains("paper") ? "paper" : nil
        let seeds = parts.first { $0.hasPrefix("seeds") }.flatMap { Int($0.dropFirst(5)) }
        return (preset, seeds)
    }
}
