import ArgumentParser

struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "inspect", abstract: "Print an HDF5 file's groups, datasets, shapes and attributes.")
}
