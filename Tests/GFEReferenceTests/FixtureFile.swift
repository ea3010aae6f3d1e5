import Foundation
import GFECore
import GFEStore
import GFETestSupport
import Testing

/// The authors' code's outputs on fixed inputs (../shared/fixtures/official-amd-init.h5; its README says what
/// each dataset is). CI always has ../shared beside the clone, so a missing fixture is a failure, not a skip.
enum FixtureFile {
    static let path = TestPaths.sharedFolder + "/fixtures/official-amd-init.h5"

    static func open() throws -> HDF5File {
        guard FileManager.default.fileExists(atPath: path) else {
            throw GFEError.badInput("fixture \(path) is missing: these tests need ../shared beside the repository")
        }
        return try HDF5File.open(path, mode: .readOnly)
    }

    /// The decoder the authors' code initialises with seed 2020, in our flat layout.
    static func decoder(_ file: HDF5File) throws -> MLP<Float> {
        let parameters = try Checkpoint.load(architecture: .decoder(), from: file, group: "decoder_init")
        return try MLP(architecture: .decoder(), parameters: parameters)
    }

    static func matrix(_ file: HDF5File, _ path: String) throws -> Matrix<Float> {
        try file.readMatrix(path, as: Float.self, converting: true)
    }
}
