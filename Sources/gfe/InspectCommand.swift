import ArgumentParser
import GFEStore

/// `gfe inspect FILE.h5`: prints the file's tree (the rendering is `HDF5Inspector`, in GFEStore).
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Print an HDF5 file's groups, datasets, shapes and attributes.",
        discussion:
            "Groups end in '/', attributes start with '@'. Datasets show element type, shape, chunking and compression, and the first values of small datasets."
    )

    @Argument(help: "The HDF5 file to inspect.")
    var file: String

    @Option(name: .long, help: "How many leading values of small datasets and array attributes to print.")
    var values: Int = 6

    @Flag(name: .long, help: "Print long string attributes in full.")
    var fullStrings = false

    func run() throws {
        do {
            var options = HDF5Inspector.Options(values: max(values, 0))
            if fullStrings { options.stringLimit = 0 }
            print(try HDF5Inspector.render(path: file, options: options), terminator: "")
        }
    }
}
