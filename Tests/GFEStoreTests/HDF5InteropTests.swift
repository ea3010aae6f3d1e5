import GFETestSupport
import Testing

@testable import GFEStore

/// Files we write must read cleanly with the HDF5 tools and with h5py; files h5py writes must read here.
@Suite("HDF5 interoperability (h5dump, h5py)")
struct HDF5InteropTests {
    /// A file with every dataset type, a chunked compressed dataset, an empty one, a scalar and attributes.
    /// Values follow closed forms so the readers' sums can be checked against hand-computed numbers.
    static func writeSample(_ path: String) throws {
        try HDF5File.write(to: path) { file throws in
            try file.write((0..<60_000).map { Float($0) * 0.5 }, shape: [300, 200], to: "group/big")  // chunked, gzip
            try file.write([Double](arrayLiteral: 1, 2, 3, 4, 5, 6), shape: [2, 3], to: "group/d")
            try file.write((0..<10).map { Int64($0) - 3 }, shape: [10], to: "ints")
            try file.write([UInt8](arrayLiteral: 1, 2, 250), shape: [3], to: "bytes")
            try file.write([Float](), shape: [0, 5], to: "empty")
            try file.write([Double(2.5)], shape: [], to: "scalar")
            try file.setAttribute("step", .int64(42))
            try file.setAttribute("note", .string("ü note"))
            try file.setAttribute("fixed", .string("abc"), strings: .fixedLength)
            try file.setAttribute("converged", .bool(true))
            try file.setAttribute("sizes", .int64Array([20, 150]), on: "group")
            try file.setAttribute("lr", .double(5e-4), on: "group/d")
        }
    }

    @Test(
        "h5dump reads our file: structure, types and data",
        .enabled(if: Tools.hasH5dump, "h5dump (hdf5-tools) is not installed"))
    func h5dumpReadsOurFile() throws {
        try withTemporaryFolder { folder throws in
            let path = folder + "/sample.h5"
            try Self.writeSample(path)
            let header = try #require(runTool("h5dump", ["-H", path]))
            #expect(header.status == 0, "h5dump -H failed: \(header.errors)")
            #expect(header.errors.isEmpty)
            let text = header.output
            for expected in [
                "DATASET \"big\" {\n         DATATYPE  H5T_IEEE_F32LE\n         DATASPACE  SIMPLE { ( 300, 200 ) / ( 300, 200 ) }",
                "DATASET \"d\" {\n         DATATYPE  H5T_IEEE_F64LE\n         DATASPACE  SIMPLE { ( 2, 3 ) / ( 2, 3 ) }",
                "DATASET \"ints\" {\n      DATATYPE  H5T_STD_I64LE",
                "DATASET \"bytes\" {\n      DATATYPE  H5T_STD_U8LE",
                "DATASET \"empty\" {\n      DATATYPE  H5T_IEEE_F32LE\n      DATASPACE  SIMPLE { ( 0, 5 ) / ( 0, 5 ) }",
                "DATASET \"scalar\" {\n      DATATYPE  H5T_IEEE_F64LE\n      DATASPACE  SCALAR",
                "ATTRIBUTE \"step\" {\n      DATATYPE  H5T_STD_I64LE\n      DATASPACE  SCALAR",
                "CSET H5T_CSET_UTF8",
                "STRSIZE H5T_VARIABLE",
                "STRSIZE 3",
                "\"FALSE\"            0;\n         \"TRUE\"             1;"
            ] {
                #expect(text.contains(expected), "h5dump -H output lacks \(expected)")
            }
            // Full dump with data (decompressing every chunk), exit status 0.
            let full = try #require(runTool("h5dump", [path]))
            #expect(full.status == 0, "h5dump failed: \(full.errors)")
            #expect(full.output.contains("(0,0): 1, 2, 3,\n"))  // group/d's first row
            #expect(full.output.contains("(0,0): 0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, 5.5, 6, 6.5, 7,\n"))
            // the compressed dataset's end
            #expect(full.output.contains("(299,196): 29998, 29998.5, 29999, 29999.5\n"))
            let properties = try #require(runTool("h5dump", ["-p", "-H", "-d", "/group/big", path]))
            #expect(properties.output.contains("COMPRESSION DEFLATE { LEVEL 4 }"))
            #expect(properties.output.contains("CHUNKED ( 300, 200 )"))
        }
    }

    @Test(
        "h5py reads our file: types, shapes, values and attributes",
        .enabled(if: Python.hasH5py, "h5py/numpy are not installed for python3"))
    func h5pyReadsOurFile() throws {
        try withTemporaryFolder { folder throws in
            let path = folder + "/sample.h5"
            try Self.writeSample(path)
            let script = """
                import sys, h5py, numpy as np
                f = h5py.File(sys.argv[1], "r")
                def show(name, obj):
                    if isinstance(obj, h5py.Dataset):
                        a = obj[()]
                        print(name, obj.dtype.str, list(obj.shape), obj.compression, obj.compression_opts, repr(float(np.sum(a, dtype=np.float64))))
                f.visititems(show)
                a = f.attrs
                print("step", type(a["step"]).__name__, int(a["step"]))
                print("note", type(a["note"]).__name__, a["note"])
                print("fixed", isinstance(a["fixed"], bytes), a["fixed"].decode() if isinstance(a["fixed"], bytes) else a["fixed"])
                print("converged", isinstance(a["converged"], (bool, np.bool_)), bool(a["converged"]))
                print("sizes", f["group"].attrs["sizes"].dtype.str, [int(v) for v in f["group"].attrs["sizes"]])
                print("lr", repr(float(f["group/d"].attrs["lr"])))
                """
            let lines = try Python.run(script, [path]).split(separator: "\n").map(String.init)
            // Sums by hand: 0.5·(0+…+59,999) = 0.5·59,999·60,000/2 = 899,985,000; 1+…+6 = 21; Σ(k−3) for k<10 = 15.
            #expect(
                lines == [
                    "bytes |u1 [3] None None 253.0",
                    "empty <f4 [0, 5] None None 0.0",
                    "group/big <f4 [300, 200] gzip 4 899985000.0",
                    "group/d <f8 [2, 3] None None 21.0",
                    "ints <i8 [10] None None 15.0",
                    "scalar <f8 [] None None 2.5",
                    "step int64 42",
                    "note str ü note",
                    "fixed True abc",  // h5py gives fixed-length strings as bytes
                    "converged True True",  // a numpy bool, True
                    "sizes <i8 [20, 150]",
                    "lr 0.0005"
                ])
        }
    }

    @Test(
        "files h5py writes read here, including its bool, fixed strings, int32 and big-endian data",
        .enabled(if: Python.hasH5py, "h5py/numpy are not installed for python3"))
    func readsH5pyFiles() throws {
        try withTemporaryFolder { folder throws in
            let path = folder + "/from-python.h5"
            let script = """
                import sys, h5py, numpy as np
                with h5py.File(sys.argv[1], "w") as f:
                    f["a/b"] = np.arange(12, dtype=np.float32).reshape(3, 4) / 4
                    f["big_endian"] = np.array([1.5, -2.0], dtype=">f8")
                    f["i32"] = np.array([1, -2, 3], dtype=np.int32)
                    f.create_dataset("zipped", data=np.arange(100000, dtype=np.float64), compression="gzip", compression_opts=9)
                    f.attrs["flag"] = np.bool_(False)
                    f.attrs["fixed"] = np.bytes_("fixed")
                    f.attrs["text"] = "vlen"
                    f.attrs["f32"] = np.float32(0.25)
                    f.attrs["i16s"] = np.array([1, 2], dtype=np.int16)
                    f.attrs["matrix"] = np.zeros((2, 2))
                """
            _ = try Python.run(script, [path])
            try HDF5File.read(path) { file throws in
                #expect(try file.readFloats("a/b") == HDF5Array(shape: [3, 4], values: (0..<12).map { Float($0) / 4 }))
                #expect(try file.readDoubles("big_endian").values == [1.5, -2.0])
                #expect(try file.datasetInfo("i32").elementType == .other("int32"))
                #expect(try file.readInt64s("i32", converting: true).values == [1, -2, 3])
                let error = #expect(throws: StoreError.self) { try file.readInt64s("i32") }
                #expect(
                    error?.message
                        == "\(path): /i32: holds int32 values, expected int64 (read with converting: true to convert)")
                let zipped = try file.readDoubles("zipped")
                #expect(zipped.values.reduce(0, +) == 4_999_950_000)  // 99,999·100,000/2
                #expect(try file.datasetInfo("zipped").gzipLevel == 9)
                #expect(try file.attribute("flag") == .bool(false))
                #expect(try file.attribute("fixed") == .string("fixed"))
                #expect(try file.attribute("text") == .string("vlen"))
                #expect(try file.attribute("f32") == .double(0.25))
                #expect(try file.attribute("i16s") == .int64Array([1, 2]))
                #expect(try file.attribute("matrix") == .unsupported("float64 array of shape [2, 2]"))
            }
        }
    }
}
