import ArgumentParser
import GFECore
import GFEExperiments
import GFETraining

/// `gfe evaluate`: the test loss of a checkpoint (SPEC §7) and the solve statistics.
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Print a checkpoint's mean loss on a dataset split (SPEC §7) and the encoder's solve statistics.",
        discussion: """
            --model gfe encodes each batch afresh with the encoder (AMD by default); ae evaluates AE(x); \
            ae-decoder-amd encodes with an AE checkpoint's decoder; ae-refined starts the encoder at the AE's \
            codes E(x). Uniform z0 is drawn from the seed's eval-z0 stream. The summary gives the decoder \
            passes per image and the CPU time beside the loss.
            """)

    @OptionGroup var arguments: EvaluationArguments

    @Option(help: "gfe, ae, ae-decoder-amd or ae-refined.")
    var model: String = "gfe"

    func run() throws {
        guard let kind = EvaluationKind(name: model) else {
            throw GFEError.badInput("--model '\(model)' is unknown; expected gfe, ae, ae-decoder-amd or ae-refined")
        }
        let report = try arguments.request(kind: kind, recordSummary: false).run()
        print(report.summary)
    }
}
