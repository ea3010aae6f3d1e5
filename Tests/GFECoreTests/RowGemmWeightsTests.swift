import GFECore
import Testing

/// The packed weights of the row-stable kernel are derived from an MLP's parameters and kept between passes;
/// these tests change the parameters in every way a caller can and check that the next pass computes with
/// the new values, bit for bit as a network freshly built from them (which has never packed anything).
struct RowGemmWeightsTests {
    static let architecture = Architecture(name: "decoder", sizes: [5, 37, 19, 23])

    static func input(rows: Int, seed: UInt64) -> Matrix<Float> {
        var rng = RNG(seed: seed, stream: "row-gemm-weights")
        return Matrix(rows: rows, cols: 5, storage: (0..<(rows * 5)).map { _ in rng.uniform(Float(-1), 1) })
    }

    /// The forward output of a freshly constructed network with these parameters.
    static func fresh(_ mlp: MLP<Float>, _ x: Matrix<Float>) throws -> [UInt32] {
        try MLP<Float>(architecture: mlp.architecture, parameters: mlp.parameters).forward(x).storage.map(\.bitPattern)
    }

    static func bits(_ mlp: MLP<Float>, _ x: Matrix<Float>) -> [UInt32] { mlp.forward(x).storage.map(\.bitPattern) }

    static func halve(_ values: inout [Float]) { for i in values.indices { values[i] *= 0.5 } }

    @Test func everyKindOfParameterWriteIsSeenByTheNextPass() throws {
        var mlp = MLP<Float>(architecture: Self.architecture, seed: 1)
        let x = Self.input(rows: 9, seed: 2)
        var before = Self.bits(mlp, x)  // packs the weights
        let writes: [(String, (inout MLP<Float>) -> Void)] = [
            ("subscript", { $0.parameters[3] += 0.25 }),
            ("withUnsafeMutableBufferPointer", { $0.parameters.withUnsafeMutableBufferPointer { $0[200] -= 0.5 } }),
            ("inout argument", { Self.halve(&$0.parameters) }),
            ("assignment", { $0.parameters = $0.parameters.map { -$0 } })
        ]
        for (name, write) in writes {
            write(&mlp)
            let after = Self.bits(mlp, x)
            #expect(after != before, "\(name): the output did not change")
            #expect(try after == Self.fresh(mlp, x), "\(name): the pass used weights other than the current ones")
            before = after
        }
    }

    /// The passes equal the public kernel with explicitly packed weights, layer by layer, in each of their
    /// three ways of multiplying after a change of the weights: the first pass reads the weights unpacked,
    /// the second fills the packs on the way, the third reads the packs. 130 rows span several of the
    /// kernel's row blocks, so in the second pass later blocks read what the first one packed.
    @Test(arguments: [7, 130])
    func passesEqualTheKernelWithExplicitPacks(rows: Int) throws {
        let architecture = Architecture(name: "decoder", sizes: [5, 37, 300, 23])
        var mlp = MLP<Float>(architecture: architecture, seed: 13)
        let x = Self.input(rows: rows, seed: 14)
        var rng = RNG(seed: 15, stream: "output-gradient")
        let dy = Matrix<Float>(rows: rows, cols: 23, storage: (0..<(rows * 23)).map { _ in rng.uniform(Float(-1), 1) })

        // The reference: forward and input-gradient backward from public pieces.
        func weight(_ l: Int) -> Matrix<Float> {
            let (nIn, nOut) = (architecture.sizes[l], architecture.sizes[l + 1])
            let o = architecture.weightOffset(l)
            return Matrix(rows: nOut, cols: nIn, storage: Array(mlp.parameters[o..<(o + nIn * nOut)]))
        }
        func reference() -> (output: [UInt32], inputGradient: [UInt32]) {
            var activations = [x]
            for l in 0..<architecture.layerCount {
                var a = Matrix<Float>(rows: rows, cols: architecture.sizes[l + 1])
                RowGemm.multiply(activations[l], RowGemmPackedMatrix(transposeOf: weight(l)), into: &a)
                mlp.parameters.withUnsafeBufferPointer { p in
                    a.storage.withUnsafeMutableBufferPointer { ap in
                        Float.addRowBroadcast(
                            p.baseAddress! + architecture.biasOffset(l), to: ap.baseAddress!,
                            rows: rows, cols: a.cols)
                        if l + 1 < architecture.layerCount {
                            Float.activationForward(.elu, ap.baseAddress!, count: ap.count)
                        }
                    }
                }
                activations.append(a)
            }
            var delta = dy
            for l in stride(from: architecture.layerCount - 1, through: 0, by: -1) {
                var e = Matrix<Float>(rows: rows, cols: architecture.sizes[l])
                RowGemm.multiply(delta, RowGemmPackedMatrix(weight(l)), into: &e)
                if l > 0 {
                    activations[l].storage.withUnsafeBufferPointer { h in
                        e.storage.withUnsafeMutableBufferPointer { ep in
                            Float.activationBackward(
                                .elu, ep.baseAddress!, activations: h.baseAddress!, count: ep.count)
                        }
                    }
                }
                delta = e
            }
            return (activations.last!.storage.map(\.bitPattern), delta.storage.map(\.bitPattern))
        }
        func passes() -> (output: [UInt32], inputGradient: [UInt32]) {
            var workspace = MLPWorkspace<Float>(architecture: architecture, maxBatch: rows)
            mlp.forward(x, workspace: &workspace)
            var dx = Matrix<Float>(rows: rows, cols: 5)
            mlp.backward(outputGradient: dy, workspace: &workspace, inputGradient: &dx)
            return (workspace.output().storage.map(\.bitPattern), dx.storage.map(\.bitPattern))
        }
        for round in 0..<3 {
            let expected = reference()
            for (name, result) in [("unpacked", passes()), ("filling the packs", passes()), ("packed", passes())] {
                #expect(
                    result.output == expected.output && result.inputGradient == expected.inputGradient,
                    "round \(round): the pass \(name) differs from the kernel with explicit packs")
            }
            Self.scale(&mlp.parameters)  // next round: the same after an in-place update
        }
    }

    /// The optimiser step of a trainer (in place, through the objective) is seen by the next objective pass.
    @Test func optimiserStepsThroughTheObjectiveAreSeen() throws {
        let decoder = MLP<Float>(architecture: Self.architecture, seed: 3)
        var objective = DecoderObjective(decoder: decoder, maxBatch: 6)
        let z = Self.input(rows: 6, seed: 4)
        var rng = RNG(seed: 5, stream: "targets")
        let x = Matrix<Float>(rows: 6, cols: 23, storage: (0..<(6 * 23)).map { _ in rng.nextFloat() })
        var optimiser = RMSprop<Float>(parameterCount: decoder.parameterCount, learningRate: 0.01)
        var loss: [Float] = []
        var gradient = Matrix<Float>(rows: 6, cols: 5)
        var parameterGradient = [Float](repeating: 0, count: decoder.parameterCount)
        for step in 0..<3 {
            objective.lossAndGradients(
                z: z, x: x, loss: &loss, gradient: &gradient, parameterGradient: &parameterGradient)
            optimiser.update(&objective.decoder.parameters, gradient: parameterGradient)
            objective.lossAndGradient(z: z, x: x, loss: &loss, gradient: &gradient)
            var reference = DecoderObjective(
                decoder: try MLP(
                    architecture: Self.architecture,
                    parameters: objective.decoder.parameters), maxBatch: 6)
            var referenceLoss: [Float] = []
            var referenceGradient = Matrix<Float>(rows: 6, cols: 5)
            reference.lossAndGradient(z: z, x: x, loss: &referenceLoss, gradient: &referenceGradient)
            #expect(loss.map(\.bitPattern) == referenceLoss.map(\.bitPattern), "step \(step): loss")
            #expect(
                gradient.storage.map(\.bitPattern) == referenceGradient.storage.map(\.bitPattern), "step \(step): ∇z")
        }
    }

    /// A copy shares the packs of the unchanged original; changing either one leaves the other intact.
    @Test func copiesKeepTheirOwnWeights() throws {
        let original = MLP<Float>(architecture: Self.architecture, seed: 6)
        let x = Self.input(rows: 4, seed: 7)
        let originalBits = Self.bits(original, x)
        var copy = original
        #expect(Self.bits(copy, x) == originalBits)
        copy.parameters[10] = 2
        #expect(try Self.bits(copy, x) == Self.fresh(copy, x))
        #expect(Self.bits(original, x) == originalBits)
        var other = original
        other.parameters[0] = -3
        #expect(try Self.bits(other, x) == Self.fresh(other, x))
        #expect(try Self.bits(copy, x) == Self.fresh(copy, x))
    }

    /// Writing the parameters in place does not copy the vector (dropping the packs must not cost every
    /// optimiser step, let alone every element written in a loop, a copy of 700,000 parameters), packed or
    /// not, in Float and in Double.
    @Test func inPlaceWritesKeepTheStorage() {
        func check<T: Scalar>(_ mlp: inout MLP<T>, _ label: String) {
            func address() -> UnsafeRawPointer? {
                mlp.parameters.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }
            }
            let start = address()
            mlp.parameters.withUnsafeMutableBufferPointer { $0[0] = 1 }
            #expect(address() == start, "\(label): withUnsafeMutableBufferPointer copied")
            for i in 0..<5 { mlp.parameters[i] *= 0.5 }
            #expect(address() == start, "\(label): subscript writes copied")
            Self.scale(&mlp.parameters)
            #expect(address() == start, "\(label): inout copied")
        }
        var float = MLP<Float>(architecture: Self.architecture, seed: 8)
        check(&float, "Float, not packed")
        _ = float.forward(Self.input(rows: 3, seed: 9))
        check(&float, "Float, packed")
        var double = MLP<Double>(architecture: Self.architecture, seed: 8)
        check(&double, "Double")
    }

    static func scale<T: Scalar>(_ values: inout [T]) { for i in values.indices { values[i] *= 0.5 } }

    /// Networks compare by architecture and parameters only, whether or not they have packed anything.
    @Test func equalityIgnoresPacks() throws {
        let a = MLP<Float>(architecture: Self.architecture, seed: 9)
        let b = try MLP<Float>(architecture: Self.architecture, parameters: a.parameters)
        _ = a.forward(Self.input(rows: 2, seed: 10))
        #expect(a == b)
        var c = b
        c.parameters[1] += 1
        #expect(a != c)
    }

    /// Copies on several threads fill and read the same packs at once.
    @Test func concurrentPassesAgree() async throws {
        let mlp = MLP<Float>(architecture: .decoder(), seed: 11)
        let x = Self.decoderInput(rows: 13)
        let results = await withTaskGroup(of: [UInt32].self) { group in
            for _ in 0..<8 { group.addTask { Self.bits(mlp, x) } }
            return await group.reduce(into: [[UInt32]]()) { $0.append($1) }
        }
        let expected = try Self.fresh(mlp, x)
        #expect(results.count == 8 && results.allSatisfy { $0 == expected })
    }

    static func decoderInput(rows: Int) -> Matrix<Float> {
        var rng = RNG(seed: 12, stream: "row-gemm-weights")
        return Matrix(rows: rows, cols: 20, storage: (0..<(rows * 20)).map { _ in rng.uniform(Float(-1), 1) })
    }
}
