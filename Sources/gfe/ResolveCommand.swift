import ArgumentParser
import GFECore
import GFEExperiments
import GFETraining

/// `gfe resolve SPEC`: check a spec and show what it resolves to, without running or writing anything.
struct ResolveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resolve",
        abstract: "Check a spec and print its resolved configuration and run plan (writes nothing).",
        discussion: """
            Every run's configuration is checked as `gfe run` would check it: unknown fields, wrong types, \
            out-of-range values and unknown names are errors naming the JSON location, the value and what is \
            allowed (exit 2). The plan lists one line per run: its index (for --index), its run id and its swept values.
            """)

    @OptionGroup var experiment: ExperimentArguments

    @Flag(help: "Print the plan as JSON: every run's index, id, swept values and full configuration.")
    var json = false

    func run() throws {
        let session = try experiment.open()
        guard json else { return say(session.resolution) }
        let runs: [JSONValue] = session.plan.runs.map { r in
            .object(
                JSONObject([
                    ("index", JSONValue(r.index)), ("runId", .string(r.id)), ("swept", .object(r.point.sweptObject)),
                    ("folder", .string(session.store.runFolder(r.id))), ("config", r.point.resolved)
                ]))
        }
        let document = JSONValue.object(
            JSONObject([
                ("experiment", .string(session.plan.name)), ("codeVersion", .string(session.code.id)),
                ("outputs", session.plan.spec.outputs.json), ("runs", .array(runs))
            ]))
        say(document.prettyText())
    }
}
