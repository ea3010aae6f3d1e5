import ArgumentParser
import GFECore
import GFEExperiments
import GFETraining

/// `gfe plot SPEC`: the figures of an experiment's finished runs into <results>/<experiment>/figures/.
struct PlotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plot",
        abstract: "Draw an experiment's figures from its finished runs into <results>/<experiment>/figures/.",
        discussion: """
            Drawn with matplotlib by scripts/figures.py (python3 with matplotlib; `make python-deps` installs it), \
            each figure as PNG, SVG and PDF. Curves for every metric the runs' curves.csv hold (validation loss \
            against iterations, images seen and training time, checkpoint test losses against images seen, …): one \
            colour per configuration, named by the spec's sweep labels, its seeds drawn as mean ± sd band, a cross \
            where a failed run stopped. With a "table" and a "reference" in the spec, the table beside the paper's \
            values and tolerance. From run.h5: solve curves (mean loss against integration time t), reconstruction \
            grids and t-SNE maps (perplexity 30, early exaggeration 4, learning rate 100, 1,000 iterations) of the \
            stored latents, in the paper's panel layouts. figures/index.md lists every file with what it shows.
            """)

    @OptionGroup var experiment: ExperimentArguments

    @Flag(help: "Skip the t-SNE maps (the slow part: seconds per map of 1,000 points).")
    var noTsne = false

    @Option(help: "Latents per t-SNE map (the first ones stored).")
    var tsnePoints = 1000

    @Option(help: "t-SNE iterations.")
    var tsneIterations = 1000

    @Option(help: "t-SNE perplexity.")
    var perplexity = 30.0

    @Option(help: "Images per reconstruction row.")
    var reconstructionCount = 10

    @Option(help: "Threads for t-SNE (the maps do not depend on it).")
    var threads = 2

    /// Bounds that keep a plot within minutes (t-SNE is quadratic in the points, linear in the iterations).
    func validate() throws {
        guard (2...100_000).contains(tsnePoints), (1...1_000).contains(reconstructionCount),
            (0...100_000).contains(tsneIterations), (1...1_024).contains(threads), perplexity > 0,
            perplexity < Double(tsnePoints)
        else {
            throw ValidationError(
                "--tsne-points must be from 2 to 100,000, --tsne-iterations from 0 to 100,000, --reconstruction-count "
                    + "from 1 to 1,000, --threads from 1 to 1,024, and --perplexity positive and below --tsne-points")
        }
    }

    func run() throws {
        let session = try experiment.open()
        var options = ExperimentFigures.Options()
        options.tsne = !noTsne
        options.tsnePoints = tsnePoints
        options.reconstructionCount = reconstructionCount
        options.tsneOptions.iterations = tsneIterations
        options.tsneOptions.perplexity = perplexity
        options.tsneOptions.threads = threads
        let report = try ExperimentFigures.write(
            plan: session.plan, store: session.store, locator: session.locator,
            options: options, progress: { say($0) })
        for f in report.figures { say(f.path) }
        for n in report.notes { say("note: " + n) }
        say(
            "\(report.figures.count) figures from \(report.runs) of \(report.planned) runs → \(report.folder)/ (index.md lists them)"
        )
    }
}
