import GFECore
import GFETestSupport
import Testing

/// Three steps by hand (values computed outside Swift from the PyTorch update rules).
struct OptimiserTests {
    static let start: [Double] = [0.5, -1.0, 2.0]
    static let gradients: [[Double]] = [[0.1, -0.2, 0.0], [-0.3, 0.05, 1e-3], [0.2, 0.2, -0.5]]

    // RMSprop lr 5e-4, α 0.9, eps 1e-6. Step 1 by hand: v = 0.1·g² = [1e-3, 4e-3, 0];
    // θ₀ = 0.5 − 5e-4·0.1/(√1e-3 + 1e-6) = 0.5 − 5e-4·3.16218 = 0.4984189; θ₂ unchanged (g = 0, v = 0).
    static let rmspropParameters: [[Double]] = [
        [0.4984189111683347, -0.9984188861695206, 2.0],
        [0.49992645273986064, -0.9988217911581314, 1.9984238454083698],
        [0.49904635064116254, -0.9999791820689519, 2.000004971392511]
    ]
    static let rmspropSquareAverage: [[Double]] = [
        [0.0009999999999999998, 0.003999999999999999, 0.0],
        [0.009899999999999997, 0.0038499999999999993, 9.999999999999998e-08],
        [0.012909999999999998, 0.0074649999999999985, 0.025000089999999996]
    ]
    // Adam lr 5e-4, β (0.9, 0.999), eps 1e-8. Step 1 by hand: bias-corrected m̂ = g, v̂ = g², so each
    // coordinate with g ≠ 0 moves by lr·g/(|g| + 1e-8) ≈ ±5e-4.
    static let adamParameters: [[Double]] = [
        [0.49950000005, -0.999500000025, 2.0],
        [0.4997470949556003, -0.9992652659555021, 1.9996279368486685],
        [0.49973770110882965, -0.9993576107458826, 1.999946768068065]
    ]
    static let adamFirstMoment: [Double] = [0.0011000000000000003, 0.008299999999999998, -0.04990999999999998]
    static let adamSecondMoment: [Double] = [0.0001398900100000001, 8.241754000000009e-05, 0.00025000099900000024]

    @Test func rmspropMatchesHandComputedSteps() {
        var theta = Self.start
        var opt = RMSprop<Double>(parameterCount: 3)
        var thetaF = Self.start.map { Float($0) }
        var optF = RMSprop<Float>(parameterCount: 3)
        for k in 0..<3 {
            opt.update(&theta, gradient: Self.gradients[k])
            optF.update(&thetaF, gradient: Self.gradients[k].map { Float($0) })
            expectClose(theta, Self.rmspropParameters[k], relative: 1e-14, absolute: 1e-15, "step \(k + 1)")
            expectClose(opt.squareAverage, Self.rmspropSquareAverage[k], relative: 1e-13, absolute: 1e-20)
            expectClose(thetaF, Self.rmspropParameters[k], relative: 1e-6, absolute: 1e-7, "Float step \(k + 1)")
        }
        #expect(opt.step == 3)
    }

    @Test func adamMatchesHandComputedSteps() {
        var theta = Self.start
        var opt = Adam<Double>(parameterCount: 3)
        var thetaF = Self.start.map { Float($0) }
        var optF = Adam<Float>(parameterCount: 3)
        for k in 0..<3 {
            opt.update(&theta, gradient: Self.gradients[k])
            optF.update(&thetaF, gradient: Self.gradients[k].map { Float($0) })
            expectClose(theta, Self.adamParameters[k], relative: 1e-14, absolute: 1e-15, "step \(k + 1)")
            expectClose(thetaF, Self.adamParameters[k], relative: 1e-6, absolute: 1e-7, "Float step \(k + 1)")
        }
        expectClose(opt.firstMoment, Self.adamFirstMoment, relative: 1e-13, absolute: 1e-20)
        expectClose(opt.secondMoment, Self.adamSecondMoment, relative: 1e-13, absolute: 1e-20)
        #expect(opt.step == 3)
    }

    /// A restored optimiser continues exactly where the saved one was.
    @Test func stateRoundTripsAndResumesIdentically() throws {
        var rms = RMSprop<Float>(parameterCount: 3, learningRate: 1e-3)
        var adam = Adam<Float>(parameterCount: 3, beta2: 0.99)
        var thetaF = Self.start.map { Float($0) }
        var thetaA = thetaF
        rms.update(&thetaF, gradient: [0.1, 0.2, 0.3])
        adam.update(&thetaA, gradient: [0.1, 0.2, 0.3])
        var rms2 = try RMSprop<Float>(state: rms.state, parameterCount: 3)
        var adam2 = try Adam<Float>(state: adam.state, parameterCount: 3)
        #expect(rms2.state == rms.state && adam2.state == adam.state)
        #expect(rms.state.buffers.keys.sorted() == ["square_avg"])
        #expect(adam.state.buffers.keys.sorted() == ["exp_avg", "exp_avg_sq"])
        var (t1, t2) = (thetaF, thetaF)
        rms.update(&t1, gradient: [-0.1, 0.4, 0])
        rms2.update(&t2, gradient: [-0.1, 0.4, 0])
        #expect(t1 == t2)
        var (a1, a2) = (thetaA, thetaA)
        adam.update(&a1, gradient: [-0.1, 0.4, 0])
        adam2.update(&a2, gradient: [-0.1, 0.4, 0])
        #expect(a1 == a2 && adam2.step == 2)
    }

    @Test func badStateIsABadInputError() {
        let rms = RMSprop<Float>(parameterCount: 3)
        #expect(throws: GFEError.self) { try RMSprop<Float>(state: rms.state, parameterCount: 4) }
        #expect(throws: GFEError.self) { try Adam<Float>(state: rms.state, parameterCount: 3) }
        var missing = rms.state
        missing.buffers = [:]
        #expect(throws: GFEError.self) { try RMSprop<Float>(state: missing, parameterCount: 3) }
        var noRate = rms.state
        noRate.hyperparameters["lr"] = nil
        #expect(throws: GFEError.self) { try RMSprop<Float>(state: noRate, parameterCount: 3) }
    }
}
