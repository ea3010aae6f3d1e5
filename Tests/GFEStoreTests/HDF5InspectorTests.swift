import Testing

@testable import GFEStore

@Suite("gfe inspect rendering")
struct HDF5InspectorTests {
    @Test("the tree shows groups, datasets with type, shape, storage and first values, and attributes")
    func rendersTree() throws {
        try withTemporaryFolder { folder throws in
            let path = folder + "/run.h5"
            try HDF5File.write(to: path) { file throws in
                try file.setAttribute("seed", .int64(2020))
                try file.setAttribute("preset", .string("official"))
                try file.write([Float](arrayLiteral: 0.5, -1, 2, 3, 4, 5, 6, 7), shape: [2, 4], to: "amd/z_star")
                try file.setAttribute("note", .string("line one\nline \"two\""), on: "amd/z_star")
                try file.setAttribute("converged", .bool(true), on: "amd")
                try file.write([Double](repeating: 0.25, count: 10_000), shape: [100, 100], to: "amd/big")
                try file.write([Int64(337)], shape: [], to: "steps")
                try file.write([UInt8](), shape: [0], to: "empty")
                try file.setAttribute("sizes", .int64Array([20, 150, 300, 600, 784, 1, 2]))
            }
            let text = try HDF5Inspector.render(path: path, options: .init(values: 3, smallDatasetLimit: 1000))
            #expect(
                text == """
                    HDF5 file \(path)
                    /
                      @preset = "official"
                      @seed = 2020
                      @sizes = [20, 150, 300, …] (7 values)
                      amd/
                        @converged = true
                        big  float64 [100, 100]  chunks [100, 100] gzip 4
                        z_star  float32 [2, 4]  = [0.5, -1.0, 2.0, …]
                          @note = "line one\\nline \\"two\\""
                      empty  uint8 [0]  = []
                      steps  int64 []  = 337

                    """)
        }
    }

    @Test("a missing or non-HDF5 file is an error naming it")
    func badFiles() throws {
        try withTemporaryFolder { folder throws in
            let missing = #expect(throws: StoreError.self) { try HDF5Inspector.render(path: folder + "/nope.h5") }
            #expect(missing?.message == "\(folder)/nope.h5: no such file")
            #expect(missing?.exitCode == 2)
            let text = folder + "/a.csv"
            try AtomicFile.write("a,b\n", to: text)
            let notHDF5 = #expect(throws: StoreError.self) { try HDF5Inspector.render(path: text) }
            #expect(notHDF5?.message == "\(text): not an HDF5 file (no HDF5 signature found)")
        }
    }
}
