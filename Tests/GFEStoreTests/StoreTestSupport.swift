import Foundation
import GFEStore
import GFETestSupport

/// A fresh temporary folder for one test, removed afterwards.
func withTemporaryFolder<R>(_ body: (String) throws -> R) throws -> R {
    try TestPaths.withTemporaryFolder("gfe-store-tests", body)
}

/// The names in `folder` (to check that no temporary file was left behind).
func folderContents(_ folder: String) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
}

/// Which external tools the interoperability tests can use (checked once).
enum Tools {
    static let hasH5dump: Bool = runTool("h5dump", ["--version"])?.status == 0
}

/// The authors' fixture (SPEC-side shared folder beside the repository); nil when absent.
enum Fixture {
    static let officialAMDInit: String? = {
        let path = TestPaths.sharedFolder + "/fixtures/official-amd-init.h5"
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }()
}
