import GFECore
import GFETestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Forward pass against naive loops; ∇_z and ∇_θ against central finite differences in Double.
struct MLPGradientTests {
    /// Y = (ELU ∘ affine)… ∘ affine by explicit loops over the documented layout (Architecture offsets).
    func naiveForward(_ mlp: MLP<Double>, _ x: Matrix<Double>) -> Matrix<Double> {
        let arch = mlp.architecture
        var h = x
        for l in 0..<arch.layerCount {
            let (nIn, nOut) = (arch.sizes[l], arch.sizes[l + 1])
            let (w, b) = (arch.weightOffset(l), arch.biasOffset(l))
            var out = Matrix<Double>(rows: x.rows, cols: nOut)
            for r in 0..<x.rows {
                for o in 0..<nOut {
                    var s = mlp.parameters[b + o]
                    for i in 0..<nIn { s += h[r, i] * mlp.parameters[w + o * nIn + i] }
                    out[r, o] = l + 1 < arch.layerCount ? (s > 0 ? s : expm1(s)) : s
                }
            }
            h = out
        }
        return h
    }

    @Test func forwardMatchesNaiveLoops() {
        for (arch, rows) in [(Fixtures.narrow, 4), (Fixtures.real, 2)] {
            let mlp = Fixtures.network(arch, seed: 1, gain: 2)
            let z = Fixtures.uniform(rows, arch.inputSize, seed: 2, -2, 2)
            expectClose(
                mlp.forward(z).storage, naiveForward(mlp, z).storage, relative: 1e-12, absolute: 1e-13, "\(arch.sizes)")
        }
    }

    /// L(z) = Σᵢ ℓ(D(zᵢ), xᵢ) as a function of the flat latents, for finite differences.
    func lossOfLatents(_ objective: DecoderObjective<Double>, x: Matrix<Double>, rows: Int) -> ([Double]) -> Double {
        var objective = objective
        var loss: [Double] = []
        return { z in
            objective.loss(z: Matrix(rows: rows, cols: objective.latentDim, storage: z), x: x, loss: &loss)
            return loss.reduce(0, +)
        }
    }

    /// L(θ) for fixed z, for finite differences.
    func lossOfParameters(_ objective: DecoderObjective<Double>, z: Matrix<Double>, x: Matrix<Double>) -> ([Double]) ->
        Double
    {
        var objective = objective
        var loss: [Double] = []
        return { theta in
            objective.decoder.parameters = theta
            objective.loss(z: z, x: x, loss: &loss)
            return loss.reduce(0, +)
        }
    }

    func checkDecoderGradients(
        _ arch: Architecture, rows: Int, gain: Double, parameterSample: Int?,
        loss reconstruction: ReconstructionLoss = .crossEntropyOnLogits
    ) {
        let mlp = Fixtures.network(arch, seed: 11, gain: gain)
        let z = Fixtures.uniform(rows, arch.inputSize, seed: 12, -2, 2)
        let x = Fixtures.targets(rows, arch.outputSize, seed: 13)
        var objective = DecoderObjective(decoder: mlp, maxBatch: rows, loss: reconstruction)

        var loss: [Double] = []
        var gz = Matrix<Double>(rows: rows, cols: arch.inputSize)
        var gtheta = [Double](repeating: 0, count: arch.parameterCount)
        objective.lossAndGradient(z: z, x: x, loss: &loss, gradient: &gz)
        let total = objective.lossAndParameterGradient(z: z, x: x, loss: &loss, parameterGradient: &gtheta)

        let f = lossOfLatents(objective, x: x, rows: rows)
        expectClose(total, f(z.storage), relative: 1e-14, absolute: 0, "L")
        let fdz = FiniteDifferences.gradient(at: z.storage, step: 1e-5, of: f)
        expectClose(gz.storage, fdz, relative: 1e-6, absolute: 1e-10, "∇z \(arch.sizes)")

        let coordinates =
            parameterSample.map {
                FiniteDifferences.sampledCoordinates(
                    $0, of: arch.parameterCount, seed: 14, always: Fixtures.tensorEnds(arch))
            } ?? Array(0..<arch.parameterCount)
        let fdTheta = FiniteDifferences.gradient(
            at: mlp.parameters, step: 1e-5, coordinates: coordinates,
            of: lossOfParameters(objective, z: z, x: x))
        expectClose(
            coordinates.map { gtheta[$0] }, fdTheta, relative: 1e-6, absolute: 1e-10, labels: coordinates,
            "∇θ \(arch.sizes)")

        // Both at once give the same numbers.
        var gz2 = Matrix<Double>(rows: rows, cols: arch.inputSize)
        var gtheta2 = [Double](repeating: 0, count: arch.parameterCount)
        objective.lossAndGradients(z: z, x: x, loss: &loss, gradient: &gz2, parameterGradient: &gtheta2)
        #expect(gz2 == gz && gtheta2 == gtheta)
    }

    @Test func narrowNetworkAllCoordinates() {
        checkDecoderGradients(Fixtures.narrow, rows: 4, gain: 2, parameterSample: nil)
    }

    @Test func realArchitectureSampledCoordinates() {
        checkDecoderGradients(Fixtures.real, rows: 2, gain: 1, parameterSample: 48)
    }

    /// Every activation with both losses, every coordinate, against differences in Double.
    @Test(arguments: Activation.allCases, ReconstructionLoss.allCases)
    func everyActivationAndLoss(_ activation: Activation, _ loss: ReconstructionLoss) {
        let arch = Architecture(name: "decoder", sizes: Fixtures.narrow.sizes, activation: activation)
        checkDecoderGradients(arch, rows: 4, gain: 2, parameterSample: nil, loss: loss)
    }

    /// The MSE loss is what it says, on a hand-worked case: outputs (1, 2), targets (0, 4) → ℓ = (1 + 4)/2.
    @Test func squaredErrorByHand() {
        var losses = [0.0]
        var gradient = [0.0, 0.0]
        [1.0, 2.0].withUnsafeBufferPointer { y in
            [0.0, 4.0].withUnsafeBufferPointer { x in
                Double.squaredError(
                    outputs: y.baseAddress!, targets: x.baseAddress!, rows: 1, cols: 2, losses: &losses,
                    gradient: &gradient)
            }
        }
        #expect(losses == [2.5] && gradient == [1, -2])
    }

    /// The general backward from an arbitrary dL/dY = G: f = Σ G ⊙ Y.
    @Test func backwardFromArbitraryOutputGradient() {
        let arch = Fixtures.narrow
        let mlp = Fixtures.network(arch, seed: 21, gain: 2)
        let x = Fixtures.uniform(3, arch.inputSize, seed: 22, -2, 2)
        let g = Fixtures.uniform(3, arch.outputSize, seed: 23)
        var ws = MLPWorkspace<Double>(architecture: arch, maxBatch: 3)
        mlp.forward(x, workspace: &ws)
        var gx = Matrix<Double>(rows: 0, cols: arch.inputSize)
        var gtheta = [Double](repeating: 0, count: arch.parameterCount)
        mlp.backward(outputGradient: g, workspace: &ws, inputGradient: &gx, parameterGradient: &gtheta)

        func f(_ m: MLP<Double>, _ input: Matrix<Double>) -> Double {
            zip(m.forward(input).storage, g.storage).reduce(0) { $0 + $1.0 * $1.1 }
        }
        let fdx = FiniteDifferences.gradient(at: x.storage, step: 1e-5) {
            f(mlp, Matrix(rows: 3, cols: arch.inputSize, storage: $0))
        }
        expectClose(gx.storage, fdx, relative: 1e-7, absolute: 1e-10, "input")
        let fdTheta = FiniteDifferences.gradient(at: mlp.parameters, step: 1e-5) {
            f(try! MLP(architecture: arch, parameters: $0), x)
        }
        expectClose(gtheta, fdTheta, relative: 1e-7, absolute: 1e-10, "parameters")

        // The single-gradient forms agree with the combined one.
        var gxOnly = Matrix<Double>(rows: 3, cols: arch.inputSize)
        mlp.backward(outputGradient: g, workspace: &ws, inputGradient: &gxOnly)
        var gthetaOnly = [Double](repeating: .nan, count: arch.parameterCount)
        mlp.backward(outputGradient: g, workspace: &ws, parameterGradient: &gthetaOnly)
        #expect(gxOnly == gx && gthetaOnly == gtheta)

        // scale and accumulate: g ← g₀ + 2·∂θ.
        var acc = (0..<arch.parameterCount).map { Double($0) }
        mlp.backward(outputGradient: g, workspace: &ws, parameterGradient: &acc, scale: 2, accumulate: true)
        expectClose(
            acc, (0..<arch.parameterCount).map { Double($0) + 2 * gtheta[$0] }, relative: 1e-14, absolute: 1e-14)
    }

    /// The same weights in Float and Double give the same logits, losses and gradients to Float precision.
    /// The Float passes (vectorised elementary functions, the engine's kernel) against Double, for every
    /// activation and loss on the paper's decoder shape.
    @Test(arguments: Activation.allCases, ReconstructionLoss.allCases)
    func floatAgreesWithDouble(_ activation: Activation, _ loss: ReconstructionLoss) {
        let arch = Architecture.decoder(activation: activation)
        let rows = 8
        let mlpFloat = MLP<Float>(architecture: arch, seed: 31)
        let mlpDouble: MLP<Double> = mlpFloat.converted()
        let zFloat = Fixtures.uniform(rows, arch.inputSize, seed: 32, -3, 3).converted(to: Float.self)
        let xFloat: Matrix<Float> = SyntheticDigits(count: rows, seed: 33).images()

        expectClose(
            mlpFloat.forward(zFloat).storage, mlpDouble.forward(zFloat.converted()).storage,
            relative: 1e-4, absolute: 1e-5, "logits")

        var of = DecoderObjective(decoder: mlpFloat, maxBatch: rows, loss: loss)
        var od = DecoderObjective(decoder: mlpDouble, maxBatch: rows, loss: loss)
        var (lf, ld): ([Float], [Double]) = ([], [])
        var gf = Matrix<Float>(rows: rows, cols: arch.inputSize)
        var gd = Matrix<Double>(rows: rows, cols: arch.inputSize)
        of.lossAndGradient(z: zFloat, x: xFloat, loss: &lf, gradient: &gf)
        od.lossAndGradient(z: zFloat.converted(), x: xFloat.converted(), loss: &ld, gradient: &gd)
        expectClose(lf, ld, relative: 1e-5, absolute: 0, "losses")
        let scale = gd.storage.map(abs).max()!
        expectClose(gf.storage, gd.storage, relative: 1e-3, absolute: 1e-4 * scale, "∇z")

        var ptf = [Float](repeating: 0, count: arch.parameterCount)
        var ptd = [Double](repeating: 0, count: arch.parameterCount)
        of.lossAndParameterGradient(z: zFloat, x: xFloat, loss: &lf, parameterGradient: &ptf)
        od.lossAndParameterGradient(z: zFloat.converted(), x: xFloat.converted(), loss: &ld, parameterGradient: &ptd)
        let pscale = ptd.map(abs).max()!
        expectClose(ptf, ptd, relative: 1e-3, absolute: 1e-4 * pscale, "∇θ")
    }
}
