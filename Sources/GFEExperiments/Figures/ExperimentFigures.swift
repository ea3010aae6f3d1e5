import Foundation
import GFECore
import GFEData
import GFEEmbedding
import GFEProcess
import GFEStore
import GFETraining

/// `gfe plot`: the figures of an experiment's stored runs (finished, and failed ones up to where they
/// stopped), written into `<results>/<experiment>/figures/` as PNG, SVG and PDF with an index.md saying what
/// each shows (docs/results.md, "Figures"). What needs the engine (t-SNE, decoding reconstructions) is
/// computed here; scripts/figures.py draws everything with matplotlib from the manifest `FigureManifest`
/// makes.
public enum ExperimentFigures {
    public struct Options: Sendable {
        public var curves = true
        public var reconstructions = true
        /// Images per reconstruction row.
        public var reconstructionCount = 10
        public var tsne = true
        /// Latents per t-SNE map (the first ones stored).
        public var tsnePoints = 1000
        /// The t-SNE settings (defaults: the paper's perplexity 30, early exaggeration 4, learning rate 100).
        public var tsneOptions = TSNEOptions()
        public init() {}
    }

    /// What `write` produced.
    public struct Report: Sendable {
        public var folder: String
        public var runs: Int
        public var planned: Int
        public var figures: [WrittenFigure]
        /// Figures that could not be made, and why.
        public var notes: [String]
    }

    /// Writes every figure the stored runs of `plan` support. Throws `badInput` when no run has finished or failed.
    public static func write(
        plan: ExperimentPlan, store: RunStore, locator: DataLocator = .standard(),
        options: Options = Options(), progress: (String) -> Void = { _ in }
    ) throws -> Report {
        let runs = FigureRun.plotted(plan: plan, store: store)
        // A committed table is drawn beside the paper's values even where its runs are not stored (a fresh
        // clone keeps tables, not runs).
        guard !runs.isEmpty || !FigureManifest.tables(plan: plan, store: store).isEmpty else {
            throw GFEError.badInput(
                "no finished or failed runs of experiment \(plan.name) under \(store.folder) "
                    + "(\(plan.runs.count) planned); run `gfe run \(plan.spec.source)` first, "
                    + "with the same --set and --results")
        }
        let folder = store.folder + "/figures"
        // Figures are results (the committed ones included): never replaced by figures of fewer runs.
        if let drawn = runsBehind(indexAt: folder + "/index.md"), drawn > runs.count {
            throw GFEError.runFailure(
                "the figures in \(folder) were drawn from \(drawn) runs and only \(runs.count) of "
                    + "\(plan.runs.count) are stored under \(store.folder) (gfe status \(plan.spec.source) lists them); "
                    + "they are left as they are: finish the runs, or plot into another --results")
        }
        try AtomicFile.createFolder(folder, what: "the figures folder")
        var notes: [String] = []
        let maps =
            options.tsne
            ? try LatentMaps.compute(
                runs, points: options.tsnePoints, options: options.tsneOptions, progress: progress, notes: &notes)
            : []
        let grids =
            options.reconstructions
            ? try Reconstructions.compute(
                runs, count: options.reconstructionCount, locator: locator, notes: &notes) : []
        let manifest = FigureManifest.make(
            plan: plan, store: store, runs: runs, folder: folder, curves: options.curves, tsne: maps,
            reconstructions: grids)
        var figures = try draw(manifest, folder: folder)
        let index = folder + "/index.md"
        if options.curves && options.reconstructions && options.tsne {
            try removeStale(indexAt: index, keeping: figures, folder: folder)
        } else {
            // A kind skipped this time (--no-tsne) keeps its earlier figures, and their place in the index.
            let drawn = Set(figures.map(\.path))
            figures += previousFigures(indexAt: index, folder: folder).filter { !drawn.contains($0.path) }
        }
        try writeIndex(figures, notes: notes, runs: runs, plan: plan, folder: folder)
        return Report(folder: folder, runs: runs.count, planned: plan.runs.count, figures: figures, notes: notes)
    }

    /// Runs scripts/figures.py on the manifest; it prints one JSON line per figure drawn.
    static func draw(_ manifest: JSONValue, folder: String) throws -> [WrittenFigure] {
        guard let repository = CodeVersion.findRepository(),
            FileManager.default.fileExists(atPath: repository + "/scripts/figures.py")
        else {
            throw GFEError.badInput(
                "gfe plot draws with scripts/figures.py of the gfe repository, and none was found above the gfe "
                    + "executable or the current folder; run the gfe built in its checkout")
        }
        let path = folder + "/.figures-manifest.json"
        try AtomicFile.write(manifest.compactText + "\n", to: path)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result: ChildProcess.Result
        do {
            result = try ChildProcess.run("python3", arguments: [repository + "/scripts/figures.py", path])
        } catch {
            throw GFEError.badInput("gfe plot needs python3 with matplotlib (make python-deps): \(error)")
        }
        guard result.status == 0 else {
            let reason = result.errors.trimmingCharacters(in: .whitespacesAndNewlines)
            // A missing package is the set-up's to fix (exit 2); anything else is a failure to draw (exit 1).
            if reason.contains("matplotlib is missing") { throw GFEError.badInput(reason) }
            throw GFEError.runFailure(
                "drawing the figures failed (scripts/figures.py, exit \(result.status)): \(reason)")
        }
        return try result.output.split(separator: "\n").map { line in
            guard case .object(let o) = try JSONParser.parse(String(line), source: "scripts/figures.py"),
                case .string(let file) = o["file"], case .string(let shows) = o["shows"]
            else { throw GFEError.runFailure("scripts/figures.py printed an unexpected line: \(line)") }
            return WrittenFigure(path: folder + "/" + file, description: shows)
        }
    }

    /// Files the previous index.md listed (gfe plot wrote them) that this drawing did not write again: an
    /// older layout's figures, which would otherwise sit beside the new ones looking current.
    static func removeStale(indexAt path: String, keeping figures: [WrittenFigure], folder: String) throws {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return }
        let kept = Set(
            figures.flatMap { f in WrittenFigure.formats.map { (f.path as NSString).lastPathComponent + "." + $0 } })
        let pattern = try NSRegularExpression(pattern: #"\]\(([^)/]+\.(?:svg|png|pdf))\)"#)
        let listed = pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap {
            Range($0.range(at: 1), in: text).map { String(text[$0]) }
        }
        for name in Set(listed).subtracting(kept) { try? FileManager.default.removeItem(atPath: folder + "/" + name) }
    }

    /// The figures an index.md lists (`ResultsPageFigures.index`) whose three files are all there.
    static func previousFigures(indexAt path: String, folder: String) -> [WrittenFigure] {
        ResultsPageFigures.index(path).compactMap { entry in
            let stem = folder + "/" + entry.file
            guard !entry.file.contains("/"),
                WrittenFigure.formats.allSatisfy({ FileManager.default.fileExists(atPath: stem + "." + $0) })
            else { return nil }
            return WrittenFigure(path: stem, description: entry.shows)
        }
    }

    /// The number of runs an index.md written by `gfe plot` says its figures were drawn from.
    static func runsBehind(indexAt path: String) -> Int? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
            let range = text.range(
                of: #"Written by `gfe plot` from (\d+) of \d+ planned runs"#, options: .regularExpression)
        else { return nil }
        return Int(text[range].dropFirst("Written by `gfe plot` from ".count).prefix { $0.isNumber })
    }

    /// figures/index.md: each file with its description, the runs behind them, and the notes.
    private static func writeIndex(
        _ figures: [WrittenFigure], notes: [String], runs: [FigureRun], plan: ExperimentPlan,
        folder: String
    ) throws {
        var lines = [
            "# Figures of experiment \(plan.name)", "",
            "Written by `gfe plot` from \(runs.count) of \(plan.runs.count) planned runs (\(plan.spec.source)).", "",
            "| run | label | folder | status |", "|---|---|---|---|"
        ]
        for r in runs {
            let status = r.failed ? "failed: " + (r.record.reason ?? "no reason stored") : "finished"
            lines.append(
                "| \(r.id) | \(r.label) | ../\(r.id)/ | \(status.replacingOccurrences(of: "|", with: "\\|")) |")
        }
        lines += ["", "| figure | files | shows |", "|---|---|---|"]
        for f in figures {
            let stem = (f.path as NSString).lastPathComponent
            let files = WrittenFigure.formats.map { "[\($0)](\(stem).\($0))" }.joined(separator: " ")
            lines.append("| \(stem) | \(files) | \(f.description.replacingOccurrences(of: "|", with: "\\|")) |")
        }
        if !notes.isEmpty { lines += ["", "Not drawn:", ""] + notes.map { "- " + $0 } }
        let text = lines.joined(separator: "\n") + "\n"
        try AtomicFile.write(text, to: folder + "/index.md")
    }
}

/// A figure drawn by scripts/figures.py: its path without extension (STEM.png, .svg and .pdf exist) and one
/// sentence saying what it shows.
public struct WrittenFigure: Sendable, Equatable {
    public var path: String
    public var description: String

    public static let formats = ["png", "svg", "pdf"]
}
