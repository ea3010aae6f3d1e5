import Testing

@testable import GFEStore

@Suite("HDF5 attributes")
struct HDF5AttributeTests {
    static let values: [(String, HDF5AttributeValue)] = [
        ("int", .int64(-9_007_199_254_740_993)),  // not representable as Double: must stay an integer
        ("double", .double(1e-5)),
        ("yes", .bool(true)),
        ("no", .bool(false)),
        ("text", .string("latent d = 20, σ = 1e-5 — UTF-8")),
        ("empty_text", .string("")),
        ("ints", .int64Array([20, 150, 300, 600, 784])),
        ("doubles", .doubleArray([0.5, -1.25, .infinity])),
        ("floats", .floatArray([0.1, 0.2])),
        ("bytes", .uint8Array([0, 255, 7])),
        ("no_ints", .int64Array([]))
    ]

    @Test("every kind of attribute round-trips on the file, a group and a dataset")
    func roundTrip() throws {
        try withTemporaryFolder { folder throws in
            let path = folder + "/attrs.h5"
            try HDF5File.write(to: path) { file throws in
                try file.write([Float(0)], shape: [1], to: "g/d")
                for target in [".", "g", "g/d"] {
                    for (name, value) in Self.values { try file.setAttribute(name, value, on: target) }
                    try file.setAttribute("fixed", .string("fixed-length ü"), on: target, strings: .fixedLength)
                    try file.setAttribute("fixed_empty", .string(""), on: target, strings: .fixedLength)
                }
                try file.setAttribute("int", .int64(1), on: "g")  // replacing keeps one attribute
            }
            try HDF5File.read(path) { file throws in
                for target in [".", "g", "g/d"] {
                    let expected = (Self.values + [("fixed", .string("fixed-length ü")), ("fixed_empty", .string(""))])
                        .map { HDF5Attribute(name: $0.0, value: target == "g" && $0.0 == "int" ? .int64(1) : $0.1) }
                        .sorted { $0.name < $1.name }
                    #expect(try file.attributes(of: target) == expected)
                }
                let group = try file.group("g")
                #expect(try group.int64Attribute("int") == 1)
                #expect(try group.int64Attribute("int", of: "d") == -9_007_199_254_740_993)
                #expect(try file.doubleAttribute("double", of: "/g/d") == 1e-5)
                #expect(try file.stringAttribute("fixed") == "fixed-length ü")
                #expect(try file.hasAttribute("yes", on: "g/d"))
                #expect(try !file.hasAttribute("maybe"))
            }
        }
    }

    @Test("typed attribute access and missing attributes give clear errors")
    func errors() throws {
        try withTemporaryFolder { folder throws in
            let path = folder + "/attrs.h5"
            try HDF5File.write(to: path) { file throws in
                try file.setAttribute("name", .string("decoder"))
                try file.setAttribute("step", .int64(3))
                let noObject = #expect(throws: StoreError.self) { try file.setAttribute("x", .int64(1), on: "missing") }
                #expect(noObject?.message == "\(path): /missing: cannot set attribute 'x': no such object")
            }
            try HDF5File.read(path) { file throws in
                let missing = #expect(throws: StoreError.self) { try file.attribute("seed") }
                #expect(missing?.message == "\(path): /: no attribute 'seed'")
                let notInt = #expect(throws: StoreError.self) { try file.int64Attribute("name") }
                #expect(notInt?.message == "\(path): /: attribute 'name' = \"decoder\" (string), expected an integer")
                #expect(try file.doubleAttribute("step") == 3)  // integers convert to Double
                let notString = #expect(throws: StoreError.self) { try file.stringAttribute("step") }
                #expect(notString?.message == "\(path): /: attribute 'step' = 3 (int64), expected a string")
            }
        }
    }
}
