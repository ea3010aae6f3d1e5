import ArgumentParser
import GFECore
import GFEExperiments
import GFEStore

/// `gfe runs SPEC`: one row per run and checkpoint, with the swept fields flattened, for comparing runs.
struct RunsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs",
        abstract:
            "List every planned run and checkpoint: state, swept fields (one column each), metrics and cost.",
        discussion: """
            One row per run and checkpoint (one row for a run that has none yet): plan index, run id, state \
            (finished, failed, running, queued, notStarted, unreadable), one column per swept field with objects \
            flattened (encoder.method, encoder.steps) and the seed, images_seen, iteration, every checkpoint \
            metric (test losses, decoder passes per image, CPU seconds, training seconds), the run's wall seconds \
            and code version. Aligned text by default; --csv or --json for pandas and scripts \
            (pandas.read_csv(..., comment="#")). Give the same --set and --seeds as to `gfe run`. --curves lists \
            the stored runs' curves instead (curves.csv with the run's index, state and swept columns; one row \
            per curve point and metric), --metric keeping only the named metrics and --every N the iterations \
            that are multiples of N.
            """)

    @OptionGroup var experiment: ExperimentArguments

    @Flag(help: "Print CSV (a # comment line, then the header and rows).")
    var csv = false

    @Flag(help: "Print a JSON array of row objects (numbers as numbers, empty cells as null).")
    var json = false

    @Flag(help: "List the stored runs' curves (curves.csv rows) with their swept columns instead of checkpoints.")
    var curves = false

    @Option(help: "With --curves: keep this metric only (repeatable), e.g. validation_loss.")
    var metric: [String] = []

    @Option(help: "With --curves: keep the iterations that are multiples of N (thins per-iteration curves).")
    var every: Int?

    func validate() throws {
        if csv && json { throw ValidationError("--csv and --json are exclusive; give one") }
        if (!metric.isEmpty || every != nil) && !curves {
            throw ValidationError("--metric and --every apply to --curves only")
        }
        if let every, every < 1 { throw ValidationError("--every must be at least 1, got \(every)") }
    }

    func run() throws {
        let session = try experiment.open()
        let listing = RunsListing(plan: session.plan, store: session.store)
        let table = curves ? try listing.curves(metrics: metric, every: every ?? 1) : listing.table
        if csv {
            print(CSV.render(table), terminator: "")
        } else if json {
            say(JSONValue.array(RunsListing.jsonRows(table)).prettyText())
        } else {
            say(ResultsTable.render(table))
        }
    }
}
