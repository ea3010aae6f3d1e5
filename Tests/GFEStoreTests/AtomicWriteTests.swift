import Foundation
import Testing

@testable import GFEStore

private struct WriterFailed: Error {}

@Suite("Atomic writes")
struct AtomicWriteTests {
    @Test("a writer that throws midway leaves the old file intact and no temporary behind")
    func failedWriterKeepsOldFile() throws {
        try withTemporaryFolder { folder throws in
            let path = folder + "/results.csv"
            try AtomicFile.write("old contents\n", to: path)
            #expect(throws: WriterFailed.self) {
                try AtomicFile.write(to: path) { temporary in
                    try "half of the new".write(toFile: temporary, atomically: false, encoding: .utf8)
                    #expect(temporary.hasPrefix(folder + "/.results.csv.tmp-"))  // same folder: rename is atomic
                    throw WriterFailed()
                }
            }
            #expect(try String(contentsOfFile: path, encoding: .utf8) == "old contents\n")
            #expect(try folderContents(folder) == ["results.csv"])
            try AtomicFile.write("new\n", to: path)
            #expect(try String(contentsOfFile: path, encoding: .utf8) == "new\n")
        }
    }

    @Test("an HDF5 file being written replaces the target only on close; a throwing writer changes nothing")
    func hdf5WritesAreAtomic() throws {
        try withTemporaryFolder { folder throws in
            let path = folder + "/run.h5"
            try HDF5File.write(to: path) { file throws in try file.write([Int64(1)], shape: [1], to: "version") }
            let before = try Data(contentsOf: URL(fileURLWithPath: path))
            #expect(throws: WriterFailed.self) {
                try HDF5File.write(to: path, truncating: true) { file throws in
                    try file.write([Int64](repeating: 2, count: 100_000), shape: [100_000], to: "version2")
                    throw WriterFailed()
                }
            }
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
            // Released without close(): discarded too.
            do {
                let file = try HDF5File.open(path, mode: .readWrite)
                try file.write([Int64(3)], shape: [1], to: "never")
            }
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
            #expect(try folderContents(folder) == ["run.h5"])
            try HDF5File.read(path) { file throws in #expect(try file.readInt64s("version").values == [1]) }
        }
    }

    @Test("writing into a missing folder is a clear error")
    func missingFolder() {
        let error = #expect(throws: StoreError.self) { try AtomicFile.write("x", to: "/nonexistent-gfe-folder/a.csv") }
        #expect(
            error?.message
                == "/nonexistent-gfe-folder/a.csv: cannot write: the folder /nonexistent-gfe-folder/ does not exist; create it first"
        )
    }
}
