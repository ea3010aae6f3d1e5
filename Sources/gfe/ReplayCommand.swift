import ArgumentParser
import GFECore
import GFEExperiments
import GFEStore

/// `gfe replay SPEC --index I`: why did a step fail? It is recomputed in Float32 and Float64 (`RunReplay`).
struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Recompute one training step of a stored GFE run in Float32 and Float64 (why did it diverge?).",
        discussion: """
            The step runs from the decoder run.h5 stored before it (a diverged run keeps the one the failing \
            step started from; otherwise give --iteration K after a stored model), on the step's own minibatch \
            and z0. Float32 repeats training's arithmetic; Float64 the same algorithm in double precision, so a \
            precision problem (Float64 finite) shows apart from an unstable algorithm (both not finite). For \
            the adjoint gradient the adjoint's largest norm is traced through the backward sweep; for the \
            fixed-grid gradient flow, the flow's stiffness h·alpha·lambda_max(H) is measured at every grid \
            point against the Runge–Kutta stability limit. --change encoder.points=200 (repeatable) replays \
            the step with another encoder or gradient setting. --csv writes one row per grid interval; --json prints \
            everything as one object instead of the text.
            """)

    @OptionGroup var experiment: ExperimentArguments

    @Option(help: "The plan entry (gfe plan SPEC lists them).")
    var index: Int

    @Option(help: "The step to replay (1-based); default: the step a diverged run failed at.")
    var iteration: Int?

    @Option(
        help: ArgumentHelp(
            "Change an encoder or decoder-gradient setting for the replay only, e.g. encoder.points=200 "
                + "(repeatable).", valueName: "path=value"))
    var change: [String] = []

    @Option(help: "Write the per-interval table (stiffness, adjoint norms) to this CSV file.")
    var csv: String?

    @Flag(help: "Print the replay as one JSON object (both precisions' numbers and the per-interval rows).")
    var json = false

    func run() throws {
        let session = try experiment.open(index: index)
        let replay = try RunReplay.make(session: session, index: index, iteration: iteration, changes: change)
        if let csv { try CSV.write(replay.csv, to: csv) }
        if json {
            say(replay.json.prettyText())
            return
        }
        say(replay.text)
        if let csv { say("written \(csv)") }
    }
}
