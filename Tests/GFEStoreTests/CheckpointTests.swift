import Foundation
import GFECore
import GFETestSupport
import Testing

@testable import GFEStore

/// The SPEC §2 decoder's tensors with their flat offsets, worked out by hand (not from `Architecture`):
/// 20→150: weight 3,000 at 0, bias 150 at 3,000; 150→300: weight 45,000 at 3,150, bias at 48,150;
/// 300→600: weight 180,000 at 48,450, bias at 228,450; 600→784: weight 470,400 at 229,050, bias at 699,450.
let decoderLayoutByHand: [(name: String, shape: [Int], offset: Int)] = [
    ("decoder.0.weight", [150, 20], 0), ("decoder.0.bias", [150], 3_000),
    ("decoder.2.weight", [300, 150], 3_150), ("decoder.2.bias", [300], 48_150),
    ("decoder.4.weight", [600, 300], 48_450), ("decoder.4.bias", [600], 228_450),
    ("decoder.6.weight", [784, 600], 229_050), ("decoder.6.bias", [784], 699_450)
]

/// A value for element `i` of tensor `t` that float32 holds exactly (t + (i mod 1000)/1024).
func tensorValue(_ t: Int, _ i: Int) -> Float { Float(t) + Float(i % 1000) / 1024 }

@Suite("Checkpoints")
struct CheckpointTests {
    let decoder = Architecture.decoder()
    let small = Architecture(name: "decoder", sizes: [3, 4, 2])

    @Test(
        "a checkpoint written by h5py from numpy arrays loads into the right flat offsets",
        .enabled(if: Python.hasH5py, "h5py/numpy are not installed for python3"))
    func h5pyStateDictLoads() throws {
        try withTemporaryFolder { folder throws in
            let path = folder + "/state_dict.h5"
            // As `for k, v in sd.items(): f[k] = v.numpy()` would, with values t + (i mod 1000)/1024;
            // decoder.2.weight is written as float64 (a double-precision state_dict).
            let script = """
                import sys, h5py, numpy as np
                names = ["decoder.0.weight", "decoder.0.bias", "decoder.2.weight", "decoder.2.bias",
                         "decoder.4.weight", "decoder.4.bias", "decoder.6.weight", "decoder.6.bias"]
                shapes = [(150, 20), (150,), (300, 150), (300,), (600, 300), (600,), (784, 600), (784,)]
                with h5py.File(sys.argv[1], "w") as f:
                    for t, (k, s) in enumerate(zip(names, shapes)):
                        v = (t + (np.arange(int(np.prod(s))) % 1000) / 1024).reshape(s)
                        f[k] = v.astype(np.float64 if k == "decoder.2.weight" else np.float32)
                """
            _ = try Python.run(script, [path])
            let flat = try Checkpoint.load(architecture: decoder, from: path)
            #expect(flat.count == 700_234)
            for (t, tensor) in decoderLayoutByHand.enumerated() {
                let count = tensor.shape.reduce(1, *)
                let misplaced = (0..<count).filter { flat[tensor.offset + $0] != tensorValue(t, $0) }.count
                #expect(misplaced == 0, "\(tensor.name): values at wrong offsets")
            }
            // Row-major [out, in]: element (r, c) of decoder.6.weight is at 229,050 + 600·r + c.
            #expect(flat[229_050 + 600 * 2 + 5] == tensorValue(6, 1205))
        }
    }

    @Test(
        "our checkpoint reads in Python as a state_dict with the PyTorch names, shapes and dtype",
        .enabled(if: Python.hasH5py, "h5py/numpy are not installed for python3"))
    func ourCheckpointReadsInPython() throws {
        let flat = (0..<decoder.parameterCount).map { i in
            let t = decoderLayoutByHand.lastIndex { $0.offset <= i }!
            return tensorValue(t, i - decoderLayoutByHand[t].offset)
        }
        try withTemporaryFolder { folder throws in
            let path = folder + "/ours.h5"
            try Checkpoint.save(parameters: flat, architecture: decoder, to: path, group: "model", step: 120)
            let script = """
                import sys, h5py, numpy as np
                f = h5py.File(sys.argv[1], "r")
                g = f["model"]
                print(sorted(g.keys()))
                for t, k in enumerate(sorted(g.keys(), key=lambda k: (int(k.split(".")[1]), k.endswith("bias")))):
                    v = g[k][()]
                    want = (t + (np.arange(v.size) % 1000) / 1024).reshape(v.shape)
                    print(k, v.dtype.str, list(v.shape), bool(np.array_equal(v, want)))
                print(int(g.attrs["step"]), [int(x) for x in g.attrs["decoder_layer_sizes"]])
                """
            let lines = try Python.run(script, [path]).split(separator: "\n").map(String.init)
            #expect(
                lines == [
                    "['decoder.0.bias', 'decoder.0.weight', 'decoder.2.bias', 'decoder.2.weight', 'decoder.4.bias', 'decoder.4.weight', 'decoder.6.bias', 'decoder.6.weight']",
                    "decoder.0.weight <f4 [150, 20] True", "decoder.0.bias <f4 [150] True",
                    "decoder.2.weight <f4 [300, 150] True", "decoder.2.bias <f4 [300] True",
                    "decoder.4.weight <f4 [600, 300] True", "decoder.4.bias <f4 [600] True",
                    "decoder.6.weight <f4 [784, 600] True", "decoder.6.bias <f4 [784] True",
                    "120 [20, 150, 300, 600, 784]"
                ])
            #expect(try Checkpoint.load(architecture: decoder, from: path, group: "model") == flat)
        }
    }

    @Test("save and load round-trip at the root and in a group, with step and optimiser state")
    func roundTrip() throws {
        let parameters: [Float] = (0..<small.parameterCount).map { Float($0) - 10.5 }  // 3·4+4 + 4·2+2 = 26
        #expect(parameters.count == 26)
        let state = OptimiserState<Float>(
            kind: "rmsprop", step: 7, hyperparameters: ["lr": 5e-4, "alpha": 0.9, "eps": 1e-6],
            buffers: ["square_avg": parameters.map { $0 * $0 }])
        try withTemporaryFolder { folder throws in
            let path = folder + "/ckpt.h5"
            try HDF5File.write(to: path) { file throws in
                try Checkpoint.save(parameters: parameters, architecture: small, to: file)
                try Checkpoint.save(
                    parameters: parameters.reversed(), architecture: small, to: file,
                    group: "runs/a", step: 30, optimiser: state, attributes: ["seed": .int64(2020)])
            }
            try HDF5File.read(path) { file throws in
                #expect(try Checkpoint.load(architecture: small, from: file) == parameters)
                #expect(try Checkpoint.load(architecture: small, from: file, group: "runs/a") == parameters.reversed())
                #expect(try Checkpoint.step(from: file, group: "runs/a") == 30)
                #expect(try Checkpoint.step(from: file) == nil)
                #expect(try file.int64Attribute("seed", of: "runs/a") == 2020)
                #expect(try Checkpoint.loadOptimiserState(architecture: small, from: file, group: "runs/a") == state)
                #expect(try Checkpoint.loadOptimiserState(architecture: small, from: file) == nil)
                // Layout by hand: decoder.0.weight [4, 3] = first 12 values, row-major.
                #expect(
                    try file.readFloats("decoder.0.weight")
                        == HDF5Array(shape: [4, 3], values: Array(parameters[0..<12])))
                #expect(
                    try file.readFloats("decoder.2.bias") == HDF5Array(shape: [2], values: Array(parameters[24..<26])))
                // The optimiser's buffers are laid out like the parameters, in the architecture's optimiser group.
                let squares = parameters.map { $0 * $0 }
                #expect(
                    try file.readFloats("runs/a/decoder_optimiser/square_avg/decoder.0.weight")
                        == HDF5Array(shape: [4, 3], values: Array(squares[0..<12])))
                #expect(try file.stringAttribute("kind", of: "runs/a/decoder_optimiser") == "rmsprop")
                #expect(try file.int64Attribute("step", of: "runs/a/decoder_optimiser") == 7)
            }
        }
    }

    @Test("a NaN or infinite parameter is refused on loading, naming the tensor and the element (exit 2)")
    func nonFiniteParametersAreRefused() throws {
        for bad in [Float.nan, .infinity, -.infinity] {
            var parameters: [Float] = (0..<small.parameterCount).map { Float($0) }
            parameters[13] = bad  // decoder.0.bias[1] (weight 4×3 = 12 values first)
            try withTemporaryFolder { folder throws in
                let path = folder + "/ckpt.h5"
                try HDF5File.write(to: path) { file throws in
                    try Checkpoint.save(parameters: parameters, architecture: small, to: file, group: "g")
                }
                let error = #expect(throws: StoreError.self) {
                    try Checkpoint.load(architecture: small, from: path, group: "g")
                }
                #expect(error?.exitCode == 2)
                #expect(error?.message.contains("/g/decoder.0.bias") == true, "\(error?.message ?? "")")
                #expect(error?.message.contains("element 1 is \(bad)") == true, "\(error?.message ?? "")")
            }
        }
    }

    @Test("saving into an existing file keeps its other contents and replaces stale tensors")
    func saveIntoExistingFile() throws {
        let deeper = Architecture(name: "decoder", sizes: [3, 4, 4, 2])
        try withTemporaryFolder { folder throws in
            let path = folder + "/run.h5"
            try HDF5File.write(to: path) { file throws in try file.write([Double(1)], shape: [1], to: "curves/loss") }
            try Checkpoint.save(
                parameters: [Float](repeating: 1, count: deeper.parameterCount), architecture: deeper, to: path)
            try Checkpoint.save(
                parameters: [Float](repeating: 2, count: small.parameterCount), architecture: small, to: path)
            try HDF5File.read(path) { file throws in
                #expect(try file.readDoubles("curves/loss").values == [1])
                #expect(
                    try file.members().map(\.name) == [
                        "curves", "decoder.0.bias", "decoder.0.weight", "decoder.2.bias", "decoder.2.weight"
                    ])
                #expect(try Checkpoint.load(architecture: small, from: file) == [Float](repeating: 2, count: 26))
            }
        }
    }

    @Test("loading lists every missing, mis-shaped, non-float and unexpected tensor (exit 2)")
    func loadErrors() throws {
        try withTemporaryFolder { folder throws in
            let path = folder + "/bad.h5"
            try HDF5File.write(to: path) { file throws in
                try file.write([Float](repeating: 0, count: 15), shape: [5, 3], to: "decoder.0.weight")  // want [4, 3]
                try file.write([Int64](repeating: 0, count: 4), shape: [4], to: "decoder.0.bias")
                try file.write([Float](repeating: 0, count: 8), shape: [2, 4], to: "decoder.2.weight")
                // decoder.2.bias missing
                try file.write([Float](repeating: 0, count: 2), shape: [2], to: "decoder.4.bias")
                // other prefix: ignored
                try file.write([Float](repeating: 0, count: 2), shape: [2], to: "encoder.0.bias")
            }
            let error = #expect(throws: StoreError.self) { try Checkpoint.load(architecture: small, from: path) }
            #expect(error?.exitCode == 2)
            #expect(
                error?.message == "\(path): /: not a checkpoint of the decoder with layer sizes [3, 4, 2]: "
                    + "decoder.0.weight has shape [5, 3], expected [4, 3]; decoder.0.bias holds int64 values, expected float32 (or float64); "
                    + "missing decoder.2.bias [2]; unexpected decoder.4.bias [2]. "
                    + "Load it with the architecture it was saved with (latent and hidden sizes).")
            let missingGroup = #expect(throws: StoreError.self) {
                try Checkpoint.load(architecture: small, from: path, group: "decoder_init")
            }
            #expect(missingGroup?.message == "\(path): /decoder_init: no such group")
            let wrongCount = #expect(throws: StoreError.self) {
                try Checkpoint.save(parameters: [1, 2, 3], architecture: small, to: folder + "/x.h5")
            }
            #expect(
                wrongCount?.message
                    == "\(folder)/x.h5: cannot save: 3 parameters given, the decoder with sizes [3, 4, 2] has 26")
            #expect(try folderContents(folder) == ["bad.h5"])  // the failed save left nothing behind
        }
    }

    @Test("an AE checkpoint loads both architectures; the decoder alone ignores encoder tensors")
    func autoencoderCheckpoint() throws {
        let encoder = Architecture(name: "encoder", sizes: [2, 4, 3])
        let encoderParameters = (0..<encoder.parameterCount).map { Float($0) }
        let decoderParameters = (0..<small.parameterCount).map { -Float($0) }
        try withTemporaryFolder { folder throws in
            let path = folder + "/ae.h5"
            try HDF5File.write(to: path) { file throws in
                try Checkpoint.save(parameters: encoderParameters, architecture: encoder, to: file, group: "ae")
                try Checkpoint.save(parameters: decoderParameters, architecture: small, to: file, group: "ae")
                try file.write([Float](repeating: 0, count: 3), shape: [3], to: "ae/encoder.9.bias")
            }
            try HDF5File.read(path) { file throws in
                #expect(try Checkpoint.load(architecture: small, from: file, group: "ae") == decoderParameters)
                let both = #expect(throws: StoreError.self) {
                    try Checkpoint.load(architectures: [encoder, small], from: file, group: "ae")
                }
                #expect(both?.message.contains("unexpected encoder.9.bias [3]") == true)
            }
        }
    }

    @Test(
        "the authors' fixture: decoder_init loads as the SPEC decoder into the flat layout",
        .enabled(
            if: Fixture.officialAMDInit != nil, "shared/fixtures/official-amd-init.h5 is not beside the repository"))
    func officialFixtureDecoder() throws {
        let path = try #require(Fixture.officialAMDInit)
        try HDF5File.read(path) { file throws in
            let members = try file.members(of: "decoder_init")
            #expect(members.map(\.name) == decoderLayoutByHand.map(\.name).sorted())
            for tensor in decoderLayoutByHand {
                let info = try file.datasetInfo("decoder_init/" + tensor.name)
                #expect(info.shape == tensor.shape && info.elementType == .float32, "\(tensor.name)")
            }
            let flat = try Checkpoint.load(architecture: decoder, from: file, group: "decoder_init")
            #expect(flat.count == 700_234)
            // First and last elements, and float64 sums, as h5py/numpy print them (computed outside this code).
            let expected: [(first: Float, last: Float, sum: Double)] = [
                (-0.0058728517, -0.17868026, 0.24299186264397576), (-0.028494578, 0.027815223, -3.362980102920119),
                (0.043422695, 0.07658029, -9.686740537986793), (-0.07088354, -0.021265518, 0.2769508284109179),
                (-0.02632752, 0.011354392, -11.623672452520239), (-0.0075134817, -0.039999828, 0.2656079216103535),
                (-0.022966333, 0.012575409, -6.851121943612867), (-0.035849687, 0.01082733, 0.32509043688332895)
            ]
            for (tensor, want) in zip(decoderLayoutByHand, expected) {
                let slice = flat[tensor.offset..<(tensor.offset + tensor.shape.reduce(1, *))]
                #expect(slice.first == want.first && slice.last == want.last, "\(tensor.name)")
                let sum = slice.reduce(0.0) { $0 + Double($1) }
                #expect(abs(sum - want.sum) <= 1e-9 * max(1, abs(want.sum)), "\(tensor.name): sum \(sum)")
                // PyTorch nn.Linear init: |θ| ≤ 1/√fan_in for weights and biases of the layer.
                let fanIn = Float(
                    tensor.name.hasSuffix("weight")
                        ? tensor.shape[1]
                        : decoderLayoutByHand.first {
                            $0.name == tensor.name.replacingOccurrences(of: "bias", with: "weight")
                        }!.shape[1])
                #expect(slice.allSatisfy { abs($0) <= 1 / fanIn.squareRoot() }, "\(tensor.name) outside the init bound")
            }
        }
    }
}
