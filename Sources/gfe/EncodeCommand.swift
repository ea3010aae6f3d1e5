import ArgumentParser
import GFECore
import GFEExperiments
import GFEStore
import GFETraining

/// Options shared by `gfe encode` and `gfe evaluate`: the model, the images and the encoder.
struct EvaluationArguments: ParsableArguments {
    @Option(help: "The checkpoint (HDF5, PyTorch state_dict names).")
    var checkpoint: String?

    @Option(help: "The checkpoint's group inside the file (default: the root), e.g. decoder_init.")
    var group: String?

    @Option(help: "Instead of a checkpoint: a freshly initialised model, as training starts with this seed.")
    var initSeed: UInt64?

    @Option(help: "Images as FILE.h5:/dataset: [N, the decoder's output size] numbers (in [0, 1] for the ε-BCE loss).")
    var images: String?

    @Option(help: "A dataset (mnist, fashion_mnist, segmented_mnist), instead of --images.")
    var dataset: String?

    @Option(help: "The dataset's split (train, validation, test, holdout).")
    var split: String = "test"

    @Option(help: "Use only the split's first N images.")
    var limit: Int?

    @Option(help: "Encoder: amd, fixedGrid, oneStep, adam or gd.")
    var encoder: String = "amd"

    @Option(help: "AMD preset: official or paper (default official).")
    var preset: String?

    @Option(help: "Starting point: zeros, uniform, or FILE.h5:/dataset ([N, d] Float32). Default: the preset's rule.")
    var z0: String?

    @Option(help: "Images per batch; each batch is solved as one group.")
    var batch: Int = 16

    @Option(
        name: .customLong("set"),
        help: ArgumentHelp(
            "Override an encoder setting, e.g. --set tau=5000 (repeatable).",
            valueName: "key=value"))
    var overrides: [String] = []

    @Option(help: "Seed of uniform z0 draws (stream eval-z0) and of the train/validation split.")
    var seed: UInt64 = 2020

    @Option(help: "Worker threads (results do not depend on it).")
    var threads: Int = 2

    /// The request, with every input checked (exit 2 on bad input).
    /// The files these options read, by option (the checkpoint, --images, a --z0 file).
    var inputFiles: [(option: String, path: String)] {
        var files: [(option: String, path: String)] = []
        if let checkpoint { files.append(("--checkpoint", checkpoint)) }
        if let images, let location = try? HDF5Location(parsing: images, option: "--images") {
            files.append(("--images", location.file))
        }
        if let z0, z0 != "zeros" && z0 != "uniform", let location = try? HDF5Location(parsing: z0, option: "--z0") {
            files.append(("--z0", location.file))
        }
        return files
    }

    func request(kind: EvaluationKind, recordSummary: Bool) throws -> EvaluationRequest {
        let model: EvaluationRequest.Model
        switch (checkpoint, initSeed) {
        case (let path?, nil): model = .checkpoint(path: path, group: group)
        case (nil, let seed?):
            guard group == nil else { throw GFEError.badInput("--group applies to --checkpoint only") }
            model = .initialised(seed: seed, latentDim: 20)
        case (nil, nil):
            throw GFEError.badInput("give the model: --checkpoint FILE.h5 [--group NAME] or --init-seed SEED")
        default: throw GFEError.badInput("give either --checkpoint or --init-seed, not both")
        }
        let imageSource: EvaluationRequest.Images
        switch (images, dataset) {
        case (let file?, nil): imageSource = .file(try HDF5Location(parsing: file, option: "--images"))
        case (nil, let name?): imageSource = .split(dataset: name, split: split, limit: limit)
        case (nil, nil):
            throw GFEError.badInput("give the images: --images FILE.h5:/dataset or --dataset NAME [--split S]")
        default: throw GFEError.badInput("give either --images or --dataset, not both")
        }
        if images != nil && limit != nil { throw GFEError.badInput("--limit applies to --dataset only") }
        var rule: String? = nil
        var start = EvaluationRequest.Start.rule
        if let z0 {
            if z0 == "zeros" || z0 == "uniform" {
                rule = z0
            } else {
                start = .file(try HDF5Location(parsing: z0, option: "--z0"))
            }
        }
        let options = EncoderOptions(method: encoder, preset: preset, initialPoint: rule, overrides: overrides)
        guard threads >= 1 else { throw GFEError.badInput("--threads must be at least 1, got \(threads)") }
        return EvaluationRequest(
            model: model, kind: kind, images: imageSource,
            encoder: try options.settings(recordSummary: recordSummary), start: start, seed: seed,
            batchSize: batch, resources: EvaluationResources(threads: threads))
    }
}

/// `gfe encode`: encodes images with a checkpoint's decoder and writes z*, per-image losses, gradient norms
/// and the solve statistics to an HDF5 file.
struct EncodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encode",
        abstract: "Encode images with a checkpoint's decoder (AMD by default) and write z* and the solve statistics.",
        discussion: """
            Batches of --batch images are solved as independent groups (several at a time, bit-identical to \
            solving them one by one). OUT.h5 holds z_star, loss_per_sample, gradient_norm, final_time and \
            groups/ (per-batch counters and every accepted time); its attributes hold the settings and a summary.
            """)

    @OptionGroup var arguments: EvaluationArguments

    @Option(help: "Decoder: gfe, ae-decoder-amd (an AE checkpoint's decoder) or ae-refined (started at its codes).")
    var model: String = "gfe"

    @Option(help: "The HDF5 file to write.")
    var out: String

    func run() throws {
        guard let kind = EvaluationKind(name: model), kind != .ae else {
            throw GFEError.badInput("--model '\(model)' cannot be encoded; use gfe, ae-decoder-amd or ae-refined")
        }
        try AtomicFile.checkOutput(out, inputs: arguments.inputFiles, outputOption: "--out")
        let report = try arguments.request(kind: kind, recordSummary: true).run()
        try report.write(to: out)
        print(report.summary)
        print("written       \(out)")
    }
}
