import Foundation
import GFECore
import GFEData
import GFEPlot
import GFEStore
import GFETraining

/// `gfe plot`: the figures of an experiment's stored runs (finished, and failed ones up to where they
/// stopped), written into `<results>/<experiment>/figures/` with an index.md saying what each shows
/// (docs/results.md, "Figures").
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
        guard !runs.isEmpty else {
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
        var figures: [WrittenFigure] = []
        var notes: [String] = []
        if options.curves {
            figures += try CurveFigureWriter.write(runs, experiment: plan.name, into: folder)
            figures += try SolveCurveFigureWriter.write(runs, experiment: plan.name, into: folder)
        }
        if options.reconstructions {
            figures += try ReconstructionFigureWriter.write(
                runs, experiment: plan.name, count: options.reconstructionCount,
                locator: locator, into: folder, notes: &notes)
        }
        if options.tsne {
            figures += try LatentMapWriter.write(
                runs, experiment: plan.name, points: options.tsnePoints,
                options: options.tsneOptions, into: folder, progress: progress, notes: &notes)
        }
        try writeIndex(figures, notes: notes, runs: runs, plan: plan, folder: folder)
        return Report(folder: folder, runs: runs.count, planned: plan.runs.count, figures: figures, notes: notes)
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
        lines += ["", "| file | shows |", "|---|---|"]
        for f in figures {
            lines.append(
                "| [\((f.path as NSString).lastPathComponent)](\((f.path as NSString).lastPathComponent)) | \(f.description.replacingOccurrences(of: "|", with: "\\|")) |"
            )
        }
        if !notes.isEmpty { lines += ["", "Not drawn:", ""] + notes.map { "- " + $0 } }
        let text = lines.joined(separator: "\n") + "\n"
        try AtomicFile.write(text, to: folder + "/index.md")
    }
}
