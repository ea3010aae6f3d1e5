import Foundation
import GFECore
import GFETestSupport
import Testing

@testable import GFEStore

/// Truncations, bit flips and junk in a checkpoint file: loading returns parameters (a flip inside a tensor's
/// values changes a number, which HDF5 cannot know) or a bad-input error naming the file, never crashes; the
/// parameters returned are always finite.
@Suite struct CheckpointFuzzTests {
    @Test func damagedCheckpointsLoadOrAreRefused() throws {
        let small = Architecture(name: "decoder", sizes: [3, 4, 2])
        let parameters: [Float] = (0..<small.parameterCount).map { Float($0) * 0.25 - 3 }
        try withTemporaryFolder { folder throws in
            let path = folder + "/ckpt.h5"
            try HDF5File.write(to: path) { file throws in
                try Checkpoint.save(parameters: parameters, architecture: small, to: file, group: "g", step: 3)
            }
            let original = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
            var rng = RNG(seed: 13, stream: "checkpoint-fuzz")
            var refused = 0
            for _ in 0..<200 {
                let damaged = folder + "/damaged.h5"
                try Data(Mutations.damage(original, rng: &rng)).write(to: URL(fileURLWithPath: damaged))
                do {
                    let loaded = try Checkpoint.load(architecture: small, from: damaged, group: "g")
                    #expect(loaded.count == parameters.count && loaded.allSatisfy(\.isFinite))
                } catch let error as ReportableError {
                    #expect(error.exitCode == 2 && error.message.contains(damaged), "\(error.message)")
                    refused += 1
                }
            }
            #expect(refused > 100)
        }
    }
}
