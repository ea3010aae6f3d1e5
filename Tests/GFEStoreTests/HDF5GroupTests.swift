import Foundation
import GFETestSupport
import Testing

@testable import GFEStore

@Suite("HDF5 files, groups and listings")
struct HDF5GroupTests {
    @Test("nested groups are created on demand and listed with kinds, shapes and types")
    func nestedGroupsAndListing() throws {
        try withTemporaryFolder { folder throws in
            let path = folder + "/tree.h5"
            try HDF5File.write(to: path) { file throws in
                try file.write([Float](repeating: 1, count: 6), shape: [2, 3], to: "a/b/c/weights")  // groups implied
                let b = try file.createGroup("a/b")  // already there: returned, not an error
                #expect(b.path == "/a/b")
                try b.write([Int64(7)], shape: [], to: "count")
                try file.createGroup("/a/empty")
                try file.write([UInt8](), shape: [0, 4], to: "z")
            }
            try HDF5File.read(path) { file throws in
                #expect(
                    try file.members() == [
                        HDF5Member(name: "a", path: "/a", kind: .group, shape: nil, elementType: nil),
                        HDF5Member(name: "z", path: "/z", kind: .dataset, shape: [0, 4], elementType: .uint8)
                    ])
                #expect(
                    try file.walk().map(\.path) == [
                        "/a", "/a/b", "/a/b/c", "/a/b/c/weights", "/a/b/count", "/a/empty", "/z"
                    ])
                let b = try file.group("a/b")
                #expect(try b.members().map(\.name) == ["c", "count"])
                #expect(try b.readInt64s("count") == HDF5Array(shape: [], values: [7]))
                #expect(try b.readFloats("/a/b/c/weights").shape == [2, 3])  // absolute path from a subgroup
                #expect(try file.members(of: "a/empty").isEmpty)
                #expect(file.contains("a/b/c") && file.contains("/a/b/c/weights") && !file.contains("a/x/y"))
                #expect(try file.kind(of: "a/b/c/weights") == .dataset)
                #expect(try file.kind(of: "a/b") == .group)
                #expect(try file.kind(of: "nothing/here") == nil)
            }
        }
    }

    @Test("a missing file, a non-HDF5 file and missing paths give errors naming them")
    func errorCases() throws {
        try withTemporaryFolder { folder throws in
            let missing = folder + "/missing.h5"
            let noFile = #expect(throws: StoreError.self) { try HDF5File.open(missing) }
            #expect(noFile?.message == "\(missing): no such file")
            #expect(noFile?.exitCode == 2)

            let text = folder + "/notes.h5"
            try "not hdf5 at all\n".write(toFile: text, atomically: false, encoding: .utf8)
            let notHDF5 = #expect(throws: StoreError.self) { try HDF5File.open(text) }
            #expect(notHDF5?.message == "\(text): not an HDF5 file (no HDF5 signature found)")
            #expect(notHDF5?.exitCode == 2)

            let path = folder + "/f.h5"
            try HDF5File.write(to: path) { try $0.write([Double(1)], shape: [1], to: "g/x") }
            try HDF5File.read(path) { file throws in
                let noDataset = #expect(throws: StoreError.self) { try file.readDoubles("g/y") }
                #expect(noDataset?.message == "\(path): /g/y: no such dataset")
                let deep = #expect(throws: StoreError.self) { try file.readDoubles("q/r/s") }
                #expect(deep?.message == "\(path): /q/r/s: no such dataset")
                let groupNotDataset = #expect(throws: StoreError.self) { try file.readDoubles("g") }
                #expect(groupNotDataset?.message == "\(path): /g: expected a dataset, found a group")
                let datasetNotGroup = #expect(throws: StoreError.self) { try file.group("g/x") }
                #expect(datasetNotGroup?.message == "\(path): /g/x: expected a group, found a dataset")
                let wrongType = #expect(throws: StoreError.self) { try file.readInt64s("g/x") }
                #expect(
                    wrongType?.message
                        == "\(path): /g/x: holds float64 values, expected int64 (read with converting: true to convert)"
                )
                let noGroup = #expect(throws: StoreError.self) { try file.members(of: "nope") }
                #expect(noGroup?.message == "\(path): /nope: no such group")
            }
            let noFolder = #expect(throws: StoreError.self) { try HDF5File.create(folder + "/no/such/folder.h5") }
            #expect(noFolder?.message.contains("the folder \(folder)/no/such/ does not exist") == true)
        }
    }

    @Test("create refuses to replace an existing file unless truncating")
    func createTruncatesOnlyWhenAsked() throws {
        try withTemporaryFolder { folder throws in
            let path = folder + "/once.h5"
            try HDF5File.write(to: path) { try $0.write([Int64(1)], shape: [1], to: "v") }
            let refused = #expect(throws: StoreError.self) { try HDF5File.create(path) }
            #expect(refused?.message == "\(path): already exists; pass truncating: true to replace it")
            try HDF5File.write(to: path, truncating: true) { try $0.write([Int64(2)], shape: [1], to: "w") }
            try HDF5File.read(path) { file throws in
                #expect(try file.walk().map(\.path) == ["/w"])
            }
        }
    }

    @Test("read-write opening keeps existing contents and commits additions on close")
    func readWriteAddsToAFile() throws {
        try withTemporaryFolder { folder throws in
            let path = folder + "/rw.h5"
            try HDF5File.write(to: path) { try $0.write([Float(1), 2], shape: [2], to: "old") }
            let file = try HDF5File.open(path, mode: .readWrite)
            try file.write([Float(3)], shape: [1], to: "new/value")
            try file.setAttribute("step", .int64(5))
            // Until close() the target is unchanged.
            try HDF5File.read(path) { reread throws in #expect(try reread.walk().map(\.path) == ["/old"]) }
            try file.close()
            try file.close()  // harmless
            try HDF5File.read(path) { reread throws in
                #expect(try reread.walk().map(\.path) == ["/new", "/new/value", "/old"])
                #expect(try reread.readFloats("old").values == [1, 2])
                #expect(try reread.int64Attribute("step") == 5)
            }
            #expect(try folderContents(folder) == ["rw.h5"])
            // A group keeps its file open even when the file object itself is not kept.
            let detached = try HDF5File.open(path).group("new")
            #expect(try detached.readFloats("value").values == [3])
            let closed = #expect(throws: StoreError.self) { try file.readFloats("old") }
            #expect(closed?.message == "\(path): the file was already closed")
        }
    }

    @Test("groups may be used from many threads at once (calls are serialised)")
    func concurrentUse() async throws {
        try await TestPaths.withTemporaryFolder("gfe-store-tests") { folder async throws in
            let path = folder + "/threads.h5"
            let file = try HDF5File.create(path)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for task in 0..<8 {
                    group.addTask {
                        for item in 0..<10 {
                            let values = (0..<100).map { Double(task * 1000 + item * 100 + $0) }
                            try file.write(values, shape: [10, 10], to: "t\(task)/d\(item)")
                            try file.setAttribute("n", .int64(Int64(item)), on: "t\(task)/d\(item)")
                        }
                    }
                }
                try await group.waitForAll()
            }
            try file.close()
            try HDF5File.read(path) { file throws in
                #expect(try file.walk().filter { $0.kind == .dataset }.count == 80)
                #expect(try file.readDoubles("t7/d9").values.first == 7900)
                #expect(try file.int64Attribute("n", of: "t3/d4") == 4)
            }
        }
    }
}
