import GFETestSupport
import Testing

@testable import GFECore

#if canImport(Glibc)
import Glibc
#endif

/// The vectorisable Float elementary functions against the Double C library: within 2 ulp of the true value
/// (measured in units of the Float spacing at the true value), NaN in → NaN out, and the edge values.
struct KernelMathTests {
    /// Error of a Float result in ulps of the Float spacing at the exact (Double) value.
    func ulps(_ value: Float, _ exact: Double) -> Double {
        let spacing = Double(Float(exact).ulp)
        return abs(Double(value) - exact) / spacing
    }

    /// Points dense near 0 (where expm1 and log need relative precision) and spread over the whole range.
    func sweep(_ lo: Double, _ hi: Double, count: Int) -> [Float] {
        var rng = RNG(seed: 81, stream: "sweep")
        let uniform = (0..<count).map { _ in Float(rng.uniform(lo, hi)) }
        let geometric = (0..<200).map { Float(-pow(10.0, -8 + Double($0) * 10 / 200)) }  // −1e-8 … −1e2
        return uniform + geometric.filter { Double($0) >= lo && Double($0) <= hi }
    }

    @Test func expm1WithinTwoUlp() {
        var worst = 0.0
        for x in sweep(-90, 0, count: 20_000) + [0, -0.0, -1e-30, -87, -87.5, -88, -100] {
            worst = max(worst, ulps(VectorFloatMath.expm1NonPositive(x), expm1(Double(x))))
        }
        #expect(worst <= 2, "worst \(worst) ulp")
        #expect(VectorFloatMath.expm1NonPositive(-.infinity) == -1)
        #expect(VectorFloatMath.expm1NonPositive(.nan).isNaN)
        #expect(VectorFloatMath.expm1NonPositive(0) == 0)
    }

    @Test func expWithinTwoUlpAboveUnderflow() {
        var worst = 0.0
        for x in sweep(-87.3, 0, count: 20_000) + [0, -1e-30, -87.3] {
            worst = max(worst, ulps(VectorFloatMath.expNonPositive(x), exp(Double(x))))
        }
        #expect(worst <= 2, "worst \(worst) ulp")
        #expect(VectorFloatMath.expNonPositive(-.infinity) == 0)
        #expect(VectorFloatMath.expNonPositive(-100) == 0)
        #expect(VectorFloatMath.expNonPositive(.nan).isNaN)
        #expect(VectorFloatMath.expNonPositive(0) == 1)
    }

    @Test func logWithinTwoUlp() {
        var rng = RNG(seed: 82, stream: "log")
        // The loss takes logs of [1e-8, 1 + 1e-8]; also cover the whole normal range.
        var points: [Float] = (0..<20_000).map { _ in Float(pow(10.0, rng.uniform(-8.0, 0.0))) }
        points += (0..<5_000).map { _ in Float(pow(2.0, rng.uniform(-126.0, 127.0))) }
        points += [
            1, 1 + Float.ulpOfOne, 1 - Float.ulpOfOne / 2, 0.5, 2, Float(1e-8), .leastNormalMagnitude,
            .greatestFiniteMagnitude, Float(0.5).squareRoot(), Float(2).squareRoot()
        ]
        var worst = 0.0
        for x in points { worst = max(worst, ulps(VectorFloatMath.logPositive(x), log(Double(x)))) }
        #expect(worst <= 2, "worst \(worst) ulp")
        #expect(VectorFloatMath.logPositive(1) == 0)
        #expect(VectorFloatMath.logPositive(.nan).isNaN)
    }

    @Test func tanhWithinThreeUlp() {
        var worst = 0.0
        let points =
            sweep(-20, 20, count: 20_000) + sweep(-1, 1, count: 5_000).map { -$0 } + [0, 1e-30, -1e-30, 9, 44, -50]
        for x in points { worst = max(worst, ulps(VectorFloatMath.tanh(x), tanh(Double(x)))) }
        #expect(worst <= 3, "worst \(worst) ulp")
        #expect(VectorFloatMath.tanh(.infinity) == 1 && VectorFloatMath.tanh(-.infinity) == -1)
        #expect(VectorFloatMath.tanh(-0.0).sign == .minus && VectorFloatMath.tanh(.nan).isNaN)
    }

    @Test func softplusWithinThreeUlp() {
        var worst = 0.0
        let points = sweep(-80, 80, count: 20_000) + sweep(-1, 1, count: 5_000).map { -$0 } + [0, -20, -87, 30, 80]
        for x in points {
            let exact = x > 0 ? Double(x) + log1p(exp(-Double(x))) : log1p(exp(Double(x)))
            worst = max(worst, ulps(VectorFloatMath.softplus(x), exact))
        }
        #expect(worst <= 3, "worst \(worst) ulp")
        #expect(VectorFloatMath.softplus(.infinity) == .infinity && VectorFloatMath.softplus(-.infinity) == 0)
        #expect(VectorFloatMath.softplus(.nan).isNaN)
    }

    /// NaN logits give NaN losses (the solvers turn that into a result code), never a trap.
    @Test func nanPropagatesThroughFloatKernels() {
        let y = Matrix<Float>(rows: 1, cols: 3, storage: [0.5, .nan, -2])
        let x = Matrix<Float>(rows: 1, cols: 3, storage: [0, 0.5, 1])
        let (l, g) = CrossEntropy.lossesAndGradient(logits: y, targets: x)
        #expect(l[0].isNaN && g.storage[1].isNaN && g.storage[0].isFinite)
        var v: [Float] = [.nan, -1, 1]
        v.withUnsafeMutableBufferPointer { Float.activationForward(.elu, $0.baseAddress!, count: 3) }
        #expect(v[0].isNaN && v[2] == 1)
    }
}

/// Grouped solving stacks independent batches into one tall matrix, so a row's results must not depend on
/// where it sits in memory (vectorised body or scalar remainder of a loop): same bits at every offset.
struct KernelPositionIndependenceTests {
    @Test func floatKernelsGiveSameBitsAtEveryOffset() {
        let cols = 37
        var rng = RNG(seed: 83, stream: "offsets")
        let y: [Float] = (0..<cols).map { _ in rng.uniform(-60, 60) }
        let x: [Float] = (0..<cols).map { i in i % 3 == 0 ? 0 : (i % 3 == 1 ? 1 : rng.nextFloat()) }
        func run(offset: Int) -> (elu: [Float], loss: Float, gradient: [Float], curvature: [Float]) {
            let pad = [Float](repeating: 0.25, count: offset)
            var h = pad + y
            h.withUnsafeMutableBufferPointer { Float.activationForward(.elu, $0.baseAddress! + offset, count: cols) }
            let logits = Matrix<Float>(rows: 2, cols: offset + cols, storage: pad + y + pad + y)
            let targets = Matrix<Float>(rows: 2, cols: offset + cols, storage: pad + x + pad + x)
            // Row 1 holds the same values as row 0; compare its tail with a run at another offset.
            var loss = [Float](repeating: 0, count: 1)
            var g = [Float](repeating: 0, count: cols)
            var c = [Float](repeating: 1, count: offset + cols)
            logits.storage.withUnsafeBufferPointer { yp in
                targets.storage.withUnsafeBufferPointer { xp in
                    let base = (offset + cols) + offset
                    loss.withUnsafeMutableBufferPointer { lp in
                        g.withUnsafeMutableBufferPointer { gp in
                            Float.crossEntropy(
                                logits: yp.baseAddress! + base, targets: xp.baseAddress! + base, rows: 1,
                                cols: cols, losses: lp.baseAddress!, gradient: gp.baseAddress!)
                        }
                    }
                    c.withUnsafeMutableBufferPointer { cp in
                        Float.crossEntropyCurvature(
                            logits: yp.baseAddress! + base, targets: xp.baseAddress! + base,
                            count: cols, pixels: cols, tangents: cp.baseAddress! + offset)
                    }
                }
            }
            return (Array(h[offset...]), loss[0], g, Array(c[offset...]))
        }
        let reference = run(offset: 0)
        for offset in 1..<9 {
            let other = run(offset: offset)
            #expect(other.elu.map(\.bitPattern) == reference.elu.map(\.bitPattern), "ELU at offset \(offset)")
            #expect(other.loss.bitPattern == reference.loss.bitPattern, "loss at offset \(offset)")
            #expect(
                other.gradient.map(\.bitPattern) == reference.gradient.map(\.bitPattern), "gradient at offset \(offset)"
            )
            #expect(
                other.curvature.map(\.bitPattern) == reference.curvature.map(\.bitPattern),
                "curvature at offset \(offset)")
        }
    }
}
