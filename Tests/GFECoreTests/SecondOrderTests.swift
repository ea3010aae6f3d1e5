import GFECore
import GFETestSupport
import Testing

/// The forward-over-reverse pass: H·V against differences of ∇_z, ∂_θ(Σ vᵢ·∇_{zᵢ}L) against differences over θ.
struct SecondOrderTests {
    struct Setup {
        let arch: Architecture
        let rows: Int
        let objective: DecoderObjective<Double>
        let z, x, v: Matrix<Double>
    }

    func setup(
        _ arch: Architecture, rows: Int, gain: Double, loss: ReconstructionLoss = .crossEntropyOnLogits
    ) -> Setup {
        Setup(
            arch: arch, rows: rows,
            objective: DecoderObjective(
                decoder: Fixtures.network(arch, seed: 41, gain: gain), maxBatch: rows, loss: loss),
            z: Fixtures.uniform(rows, arch.inputSize, seed: 42, -2, 2),
            x: Fixtures.targets(rows, arch.outputSize, seed: 43),
            v: Fixtures.uniform(rows, arch.inputSize, seed: 44))
    }

    /// ∇_z L as a flat vector, as a function of the flat latents.
    func gradientOfLatents(_ s: Setup) -> ([Double]) -> [Double] {
        var objective = s.objective
        var loss: [Double] = []
        var g = Matrix<Double>(rows: s.rows, cols: s.arch.inputSize)
        return { z in
            objective.lossAndGradient(
                z: Matrix(rows: s.rows, cols: s.arch.inputSize, storage: z), x: s.x, loss: &loss, gradient: &g)
            return g.storage
        }
    }

    /// Σᵢ vᵢ·∇_{zᵢ}L as a function of θ.
    func directionalGradientOfParameters(_ s: Setup) -> ([Double]) -> Double {
        var objective = s.objective
        var loss: [Double] = []
        var g = Matrix<Double>(rows: s.rows, cols: s.arch.inputSize)
        return { theta in
            objective.decoder.parameters = theta
            objective.lossAndGradient(z: s.z, x: s.x, loss: &loss, gradient: &g)
            return zip(g.storage, s.v.storage).reduce(0) { $0 + $1.0 * $1.1 }
        }
    }

    func check(_ s: Setup, parameterSample: Int?) {
        var objective = s.objective
        var loss: [Double] = []
        var g = Matrix<Double>(rows: 0, cols: s.arch.inputSize)
        var hv = Matrix<Double>(rows: 0, cols: s.arch.inputSize)
        var mixed = [Double](repeating: 0, count: s.arch.parameterCount)
        objective.secondOrderProducts(
            z: s.z, x: s.x, direction: s.v, loss: &loss, gradient: &g,
            hessianProduct: &hv, mixedParameterGradient: &mixed)

        // ∇_z is only piecewise smooth (ELU″ jumps at 0), so differences converge at O(h) when a pre-activation
        // lies within h of 0 — which happens in the real network at h = 1e-5; 1e-6 keeps them accurate.
        let fdHv = FiniteDifferences.directionalDerivative(
            at: s.z.storage, direction: s.v.storage, step: 1e-6,
            of: gradientOfLatents(s))
        let hvScale = fdHv.map(abs).max()!
        expectClose(hv.storage, fdHv, relative: 1e-6, absolute: 1e-7 * hvScale, "H·V \(s.arch.sizes)")

        let coordinates =
            parameterSample.map {
                FiniteDifferences.sampledCoordinates(
                    $0, of: s.arch.parameterCount, seed: 45, always: Fixtures.tensorEnds(s.arch))
            } ?? Array(0..<s.arch.parameterCount)
        let fdMixed = FiniteDifferences.gradient(
            at: s.objective.decoder.parameters, step: 1e-5, coordinates: coordinates,
            of: directionalGradientOfParameters(s))
        let mixedScale = fdMixed.map(abs).max()!
        expectClose(
            coordinates.map { mixed[$0] }, fdMixed, relative: 1e-6, absolute: 1e-7 * mixedScale,
            labels: coordinates, "∂θ(v·∇z L) \(s.arch.sizes)")

        // The same pass also returns the first-order results, identical to the first-order pass.
        var loss1: [Double] = []
        var g1 = Matrix<Double>(rows: s.rows, cols: s.arch.inputSize)
        objective.lossAndGradient(z: s.z, x: s.x, loss: &loss1, gradient: &g1)
        #expect(loss == loss1 && g == g1)

        // H·V alone equals the H·V of the full pass.
        var hvOnly = Matrix<Double>(rows: s.rows, cols: s.arch.inputSize)
        objective.hessianProduct(z: s.z, x: s.x, direction: s.v, loss: &loss1, gradient: &g1, hessianProduct: &hvOnly)
        #expect(hvOnly == hv)
    }

    @Test func narrowNetworkAllCoordinates() {
        check(setup(Fixtures.narrow, rows: 3, gain: 2), parameterSample: nil)
    }

    @Test func realArchitectureSampledCoordinates() {
        check(setup(Fixtures.real, rows: 2, gain: 1.5), parameterSample: 40)
    }

    /// The exact second-order passes for every activation with both losses, every coordinate.
    @Test(arguments: Activation.allCases, ReconstructionLoss.allCases)
    func everyActivationAndLoss(_ activation: Activation, _ loss: ReconstructionLoss) {
        let arch = Architecture(name: "decoder", sizes: Fixtures.narrow.sizes, activation: activation)
        check(setup(arch, rows: 3, gain: 2, loss: loss), parameterSample: nil)
    }

    /// Hessians are symmetric: per row, wᵢ·(Hᵢ vᵢ) = vᵢ·(Hᵢ wᵢ) (a property the pass does not use).
    @Test func hessianProductsAreSymmetric() {
        let s = setup(Fixtures.narrow, rows: 3, gain: 2)
        var objective = s.objective
        let w = Fixtures.uniform(s.rows, s.arch.inputSize, seed: 46)
        var loss: [Double] = []
        var g = Matrix<Double>(rows: s.rows, cols: s.arch.inputSize)
        var hv = g
        var hw = g
        objective.hessianProduct(z: s.z, x: s.x, direction: s.v, loss: &loss, gradient: &g, hessianProduct: &hv)
        objective.hessianProduct(z: s.z, x: s.x, direction: w, loss: &loss, gradient: &g, hessianProduct: &hw)
        let d = s.arch.inputSize
        let wHv = (0..<s.rows).map { i in (0..<d).reduce(0.0) { $0 + w[i, $1] * hv[i, $1] } }
        let vHw = (0..<s.rows).map { i in (0..<d).reduce(0.0) { $0 + s.v[i, $1] * hw[i, $1] } }
        expectClose(wHv, vHw, relative: 1e-12, absolute: 1e-15)
    }

    @Test func mixedProductScalesAndAccumulates() {
        let s = setup(Fixtures.narrow, rows: 3, gain: 2)
        var objective = s.objective
        var loss: [Double] = []
        var g = Matrix<Double>(rows: s.rows, cols: s.arch.inputSize)
        var hv = g
        var mixed = [Double](repeating: 0, count: s.arch.parameterCount)
        objective.secondOrderProducts(
            z: s.z, x: s.x, direction: s.v, loss: &loss, gradient: &g, hessianProduct: &hv,
            mixedParameterGradient: &mixed)
        var acc = [Double](repeating: 1, count: s.arch.parameterCount)
        objective.secondOrderProducts(
            z: s.z, x: s.x, direction: s.v, loss: &loss, gradient: &g, hessianProduct: &hv,
            mixedParameterGradient: &acc, scale: -0.5, accumulate: true)
        expectClose(acc, mixed.map { 1 - 0.5 * $0 }, relative: 1e-14, absolute: 1e-15)
    }
}
