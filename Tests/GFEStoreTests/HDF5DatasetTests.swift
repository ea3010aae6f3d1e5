import Foundation
import GFECore
import GFETestSupport
import Testing

@testable import GFEStore

/// Values that are exact in every element type: i ↦ (i mod 251) − 100 scaled by a power of two.
private func pattern(_ count: Int, scale: Double) -> [Double] {
    (0..<count).map { Double(($0 % 251) - 100) * scale }
}

@Suite("HDF5 datasets")
struct HDF5DatasetTests {
    @Test(
        "every element type and rank round-trips with its shape",
        arguments: [
            [], [0], [7], [3, 4], [2, 3, 5], [2, 1, 3, 2]
        ])
    func roundTripEveryTypeAndRank(shape: [Int]) throws {
        let count = shape.reduce(1, *)
        let floats = pattern(count, scale: 0.25).map { Float($0) }
        let doubles = pattern(count, scale: 1.0 / 1024)
        let ints = (0..<count).map { Int64($0) * 1_000_000_007 - 5 }
        let bytes = (0..<count).map { UInt8($0 % 256) }
        try withTemporaryFolder { folder throws in
            let path = folder + "/round.h5"
            try HDF5File.write(to: path) { file throws in
                try file.write(floats, shape: shape, to: "f32")
                try file.write(doubles, shape: shape, to: "f64")
                try file.write(ints, shape: shape, to: "i64")
                try file.write(bytes, shape: shape, to: "u8")
            }
            try HDF5File.read(path) { file throws in
                #expect(try file.readFloats("f32") == HDF5Array(shape: shape, values: floats))
                #expect(try file.readDoubles("f64") == HDF5Array(shape: shape, values: doubles))
                #expect(try file.readInt64s("i64") == HDF5Array(shape: shape, values: ints))
                #expect(try file.readUInt8s("u8") == HDF5Array(shape: shape, values: bytes))
                #expect(try file.datasetInfo("f32").elementType == .float32)
                #expect(try file.datasetInfo("f64").elementType == .float64)
                #expect(try file.datasetInfo("i64").elementType == .int64)
                #expect(try file.datasetInfo("u8").elementType == .uint8)
                #expect(try file.datasetInfo("u8").shape == shape)
            }
        }
    }

    @Test("datasets over 64 KiB are chunked and gzip-compressed and read back exactly")
    func largeDatasetsAreChunkedAndCompressed() throws {
        // 300 × 200 float32 = 240,000 bytes; 16,385 uint8 = just over 64 KiB; 8,192 float64 = exactly 64 KiB.
        let big = pattern(300 * 200, scale: 0.5).map { Float($0) }
        let justOver = (0..<16_385 * 4).map { UInt8(($0 * 7) % 256) }
        let exactly = pattern(8192, scale: 1)
        try withTemporaryFolder { folder throws in
            let path = folder + "/big.h5"
            try HDF5File.write(to: path) { file throws in
                try file.write(big, shape: [300, 200], to: "big")
                try file.write(justOver, shape: [16_385 * 4], to: "just_over")
                try file.write(exactly, shape: [8192], to: "exactly_64k")
            }
            try HDF5File.read(path) { file throws in
                let info = try file.datasetInfo("big")
                #expect(info.gzipLevel == 4)
                let chunk = try #require(info.chunkShape)
                #expect(chunk.count == 2 && chunk.reduce(1, *) * 4 <= 256 * 1024 && chunk[1] == 200)
                #expect(try file.readFloats("big").values == big)
                #expect(try file.datasetInfo("just_over").gzipLevel == 4)
                #expect(try file.readUInt8s("just_over").values == justOver)
                let contiguous = try file.datasetInfo("exactly_64k")
                #expect(contiguous.chunkShape == nil && contiguous.gzipLevel == nil)
            }
            // Compression works on these periodic patterns: the file is far smaller than the raw 371,076 bytes.
            let size = try #require(runTool("stat", ["-c", "%s", path])).output
            #expect((Int(size.trimmingCharacters(in: .whitespacesAndNewlines)) ?? .max) < 150_000)
        }
    }

    @Test("chunk shapes halve the outer axes first and stay under 256 KiB")
    func chunkShapeRule() {
        #expect(HDF5Storage.chunkShape(for: [100], elementSize: 4) == nil)  // 400 bytes: contiguous
        #expect(HDF5Storage.chunkShape(for: [], elementSize: 8) == nil)
        #expect(HDF5Storage.chunkShape(for: [16_384], elementSize: 4) == nil)  // exactly 64 KiB
        #expect(HDF5Storage.chunkShape(for: [16_385], elementSize: 4) == [16_385])  // 65,540 bytes ≤ 256 KiB
        // 784 × 600 × 4 = 1,881,600 bytes → halve rows 784→392, cols 600→300, rows 392→196: 235,200 bytes.
        #expect(HDF5Storage.chunkShape(for: [784, 600], elementSize: 4) == [196, 300])
        #expect(HDF5Storage.chunkShape(for: [1_000_000], elementSize: 8) == [31_250])
    }

    @Test("Float32 is read from a Float64 dataset only when converting, rounding to nearest")
    func convertingFloat64ToFloat() throws {
        let doubles: [Double] = [0.1, -1.0 / 3.0, 1e-8, 3.5, 16_777_217]
        try withTemporaryFolder { folder throws in
            let path = folder + "/convert.h5"
            try HDF5File.write(to: path) { try $0.write(doubles, shape: [5], to: "d") }
            try HDF5File.read(path) { file throws in
                let error = #expect(throws: StoreError.self) { try file.readFloats("d") }
                #expect(
                    error?.message
                        == "\(path): /d: holds float64 values, expected float32 (read with converting: true to convert)"
                )
                #expect(error?.exitCode == 2)
                let converted = try file.readFloats("d", converting: true)
                #expect(converted.shape == [5])
                #expect(converted.values == doubles.map { Float($0) })  // Swift's Float(Double) rounds to nearest
                #expect(try file.readInt64s("d", converting: true).values.count == 5)
            }
        }
    }

    @Test("matrices are written as [rows, cols] and read back")
    func matrixRoundTrip() throws {
        let matrix = Matrix<Float>(rows: 3, cols: 2, storage: [1, 2, 3, 4, 5, 6])
        try withTemporaryFolder { folder throws in
            let path = folder + "/m.h5"
            try HDF5File.write(to: path) { try $0.write(matrix, to: "z/star") }
            try HDF5File.read(path) { file throws in
                #expect(try file.datasetInfo("z/star").shape == [3, 2])
                #expect(try file.readMatrix("z/star", as: Float.self) == matrix)
                #expect(
                    try file.readMatrix("/z/star", as: Double.self, converting: true)
                        == matrix.converted(to: Double.self))
            }
        }
    }

    @Test("bad writes are refused with clear errors")
    func badWrites() throws {
        try withTemporaryFolder { folder throws in
            let path = folder + "/bad.h5"
            try HDF5File.write(to: path) { file throws in
                let wrongCount = #expect(throws: StoreError.self) {
                    try file.write([Float](repeating: 0, count: 5), shape: [2, 3], to: "x")
                }
                #expect(wrongCount?.message == "\(path): /x: 5 values do not fill the shape [2, 3]")
                try file.write([Float(1)], shape: [1], to: "x")
                let exists = #expect(throws: StoreError.self) { try file.write([Float(2)], shape: [1], to: "x") }
                #expect(
                    exists?.message
                        == "\(path): /x: a dataset already exists here; pass replacing: true to overwrite it")
                try file.write([Float(2)], shape: [1], to: "x", replacing: true)
                #expect(try file.readFloats("x").values == [2])
                try file.createGroup("g")
                let overGroup = #expect(throws: StoreError.self) {
                    try file.write([Float(2)], shape: [1], to: "g", replacing: true)
                }
                #expect(overGroup?.message == "\(path): /g: a group already exists here; choose another name")
            }
            try HDF5File.read(path) { file throws in
                let readOnly = #expect(throws: StoreError.self) { try file.write([Float(3)], shape: [1], to: "y") }
                #expect(readOnly?.message.contains("opened read-only") == true)
            }
        }
    }
}
