import Foundation
import GFECore
import GFEData
import GFESolvers
import GFETestSupport
import Testing

@testable import GFETraining

/// Real MNIST from ../shared/datasets beside the repository, and small settings that keep debug-build tests
/// fast where the point is plumbing rather than the solver's constants.
enum TestData {
    static let sharedFolder = TestPaths.sharedFolder

    /// A locator that sees only ../shared/datasets, whatever the environment says.
    static let locator = DataLocator(roots: [sharedFolder + "/datasets"])

    /// MNIST, loaded once per process (a missing file fails the test, never skips it).
    static func mnist() throws -> Dataset {
        try Dataset.load(.mnist, locator: locator)
    }

    /// The first `count` MNIST test images.
    static func testImages(_ count: Int) throws -> Matrix<Float> {
        try mnist().split(.test, seed: 0, limit: count).imageMatrix()
    }

    /// AMD with a short time span so a solve takes ~16–21 attempts: history from t ≥ 20 and a threshold
    /// between the batches' slopes (measured on MNIST test images 0–43 in batches of 8 with the seed-2020
    /// decoder: three converge after 16 steps, the others run to τ after 21), so groups stop at different times.
    static func shortAMD(_ preset: AMDPreset = .official) -> AMDSettings {
        var s = AMDSettings(preset: preset)
        s.tau = 60
        s.startFraction = 2.0 / 3
        s.threshold = 1.2e-5
        return s
    }

    /// A decoder with the SPEC architecture, PyTorch-style init.
    static func decoder(seed: UInt64 = 2020) -> MLP<Float> {
        MLP(architecture: .decoder(), seed: seed, stream: "init")
    }

    /// A temporary file path (removed by the caller).
    static func temporaryPath(_ name: String) -> String { TestPaths.temporaryPath("gfe-training-\(name)") }

    static let fixturePath = sharedFolder + "/fixtures/official-amd-init.h5"
}

/// Rows `r` of `m` as a new matrix.
func rows(_ m: Matrix<Float>, _ r: Range<Int>) -> Matrix<Float> {
    Matrix(rows: r.count, cols: m.cols, storage: Array(m.storage[(r.lowerBound * m.cols)..<(r.upperBound * m.cols)]))
}
