import ArgumentParser
import GFECore
import GFEData

struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data", abstract: "Check the datasets.", subcommands: [DataVerifyCommand.self])
}

/// `gfe data verify`: locate, validate and summarise datasets. Exit 2 if any checked dataset is missing a file
/// or has a bad one (all three are checked unless `--dataset` picks some).
struct DataVerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check each dataset's files (location, format, SHA-256) and print split sizes and label counts.",
        discussion: """
            Files are looked for in $GFE_DATA_DIR/<dataset>/, <repository>/data/<dataset>/, \
            ../shared/datasets/<dataset>/ and, for fashion_mnist, /usr/share/datasets/fashion-mnist/; \
            each as <name> or <name>.gz. Exits with status 2 if any checked dataset is missing or corrupt.
            """)

    @Option(
        name: .customLong("dataset"),
        help: "A dataset to check (repeatable): mnist, fashion_mnist, segmented_mnist. Default: all three.")
    var datasets: [String] = []

    @Option(help: "Seed of the train/validation split whose label counts are printed.")
    var seed: UInt64 = 0

    func run() throws {
        do {
            var ids: [DatasetID] = []
            for name in datasets {
                let id = try DatasetID.named(name)
                if !ids.contains(id) { ids.append(id) }
            }
            if ids.isEmpty { ids = DatasetID.allCases }

            var failed: [String] = []
            for id in ids {
                let report = DataVerification.verify([id], seed: seed)[0]
                print(DataVerification.render(report))
                if !report.ok { failed.append("\(id.name) (\(report.missing ? "missing files" : "bad files"))") }
            }
            if !failed.isEmpty {
                throw DataError(
                    .verificationFailed,
                    "data verify failed for \(failed.joined(separator: ", ")); see the messages above for how to fix.")
            }
        }
    }
}
