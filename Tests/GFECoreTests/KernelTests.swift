import GFECore
import GFETestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The loss and ELU kernels against hand-computed values, an independent formula and finite differences.
struct LossKernelTests {
    /// A P = 784 row of one (y, x) pair has ℓ equal to the per-pixel value. Literals computed outside Swift
    /// from the SPEC formula; e.g. y = 50, x = 0: −log(1e-8 + σ(−50)) = 18.42068074395235.
    static let cases: [(y: Double, x: Double, loss: Double)] = [
        (50, 0, 18.420680743952346), (50, 0.3, 12.894476517766641), (50, 1, -9.999999889225291e-09),
        (-50, 0, -9.999999889225291e-09), (-50, 0.3, 5.526204216185704), (-50, 1, 18.420680743952346),
        (0, 0, 0.6931471605599454), (0, 0.3, 0.6931471605599453), (0, 1, 0.6931471605599454)
    ]

    @Test func saturatedAndCentralValuesMatchHandComputed() {
        let p = 784
        let logits = Matrix<Double>(
            rows: Self.cases.count, cols: p, storage: Self.cases.flatMap { c in Array(repeating: c.y, count: p) })
        let targets = Matrix<Double>(
            rows: Self.cases.count, cols: p, storage: Self.cases.flatMap { c in Array(repeating: c.x, count: p) })
        let expected = Self.cases.map(\.loss)
        expectClose(CrossEntropy.losses(logits: logits, targets: targets), expected, relative: 1e-13, absolute: 1e-15)
        // Float: 1 + 1e-8 rounds to 1, so the tiny negative values come out 0; hence the absolute tolerance.
        let lf = CrossEntropy.losses(
            logits: logits.converted(to: Float.self), targets: targets.converted(to: Float.self))
        expectClose(lf, expected, relative: 3e-7, absolute: 2e-8)
        #expect(lf.allSatisfy { $0.isFinite })
    }

    @Test func mixedRowsMatchIndependentFormula() {
        let rows = 3
        let p = 784
        let logits = Fixtures.uniform(rows, p, seed: 5, -9, 9)
        let targets = Fixtures.targets(rows, p, seed: 6)
        let expected = (0..<rows).map { r in
            (0..<p).reduce(0.0) { $0 + referencePixelLoss(logits[r, $1], targets[r, $1]) } / Double(p)
        }
        expectClose(CrossEntropy.losses(logits: logits, targets: targets), expected, relative: 1e-13, absolute: 0)
        let lf = CrossEntropy.losses(
            logits: logits.converted(to: Float.self), targets: targets.converted(to: Float.self))
        expectClose(lf, expected, relative: 1e-5, absolute: 0)
    }

    static let probes: [Double] = [-50, -20, -3, -0.1, 0, 0.7, 3, 20, 50]
    static let pixelTargets: [Double] = [0, 0.3, 1]

    /// dℓ/dy: against central differences where ℓ varies enough for them to be accurate, and against the
    /// brief's formula everywhere (saturated logits give gradients near 1e-14/P that differences cannot see).
    @Test func derivativeMatchesDifferencesAndFormula() {
        let p = 784
        for x in Self.pixelTargets {
            let logits = Matrix<Double>(rows: 1, cols: Self.probes.count, storage: Self.probes)
            let targets = Matrix<Double>(rows: 1, cols: Self.probes.count, repeating: x)
            // cols = P = 9 here, so compare with 1/9 scaling; the P = 784 scaling is checked below.
            let (_, g) = CrossEntropy.lossesAndGradient(logits: logits, targets: targets)
            let formula = Self.probes.map { referencePixelDerivative($0, x) / Double(Self.probes.count) }
            expectClose(g.storage, formula, relative: 1e-12, absolute: 1e-300, "formula, x = \(x)")
            for (k, y) in Self.probes.enumerated() where abs(y) <= 3 {
                let fd = FiniteDifferences.gradient(at: [y], step: 1e-5) { referencePixelLoss($0[0], x) }[0]
                expectClose(
                    g.storage[k] * Double(Self.probes.count), fd, relative: 1e-8, absolute: 1e-10,
                    "FD y = \(y), x = \(x)")
            }
            let (_, gf) = CrossEntropy.lossesAndGradient(
                logits: logits.converted(to: Float.self), targets: targets.converted(to: Float.self))
            expectClose(gf.storage, formula, relative: 1e-5, absolute: 1e-30, "Float, x = \(x)")
        }
        // 1/P scaling at the real width.
        let y = Matrix<Double>(rows: 1, cols: p, repeating: 0.7)
        let x = Matrix<Double>(rows: 1, cols: p, repeating: 0.3)
        let (_, g) = CrossEntropy.lossesAndGradient(logits: y, targets: x)
        expectClose(g.storage[17], referencePixelDerivative(0.7, 0.3) / Double(p), relative: 1e-13, absolute: 0)
    }

    /// d²ℓ/dy² against central differences of the independent first-derivative formula (a relative step
    /// keeps it accurate at saturation, where values are ~1e-22).
    @Test func curvatureMatchesDifferencesOfDerivative() {
        for x in Self.pixelTargets {
            let logits = Matrix<Double>(rows: 1, cols: Self.probes.count, storage: Self.probes)
            let targets = Matrix<Double>(rows: 1, cols: Self.probes.count, repeating: x)
            let c = CrossEntropy.curvature(logits: logits, targets: targets)
            let expected = Self.probes.map { y in
                FiniteDifferences.gradient(at: [y], step: 1e-4) { referencePixelDerivative($0[0], x) }[0]
                    / Double(Self.probes.count)
            }
            expectClose(c.storage, expected, relative: 1e-6, absolute: 1e-300, "x = \(x)")
            let cf = CrossEntropy.curvature(
                logits: logits.converted(to: Float.self), targets: targets.converted(to: Float.self))
            expectClose(cf.storage, expected, relative: 1e-4, absolute: 1e-30, "Float, x = \(x)")
        }
        // With ε = 0 the curvature would be σ(1−σ); with ε it differs only where σ or 1−σ is near ε.
        let c0 = CrossEntropy.curvature(
            logits: Matrix<Double>(rows: 1, cols: 1, storage: [0]),
            targets: Matrix<Double>(rows: 1, cols: 1, storage: [0.3]))
        expectClose(c0.storage[0], 0.25, relative: 1e-7, absolute: 0)
    }

    @Test func extremeLogitsStayFinite() {
        let ys: [Float] = [-.infinity, -1000, -88, 88, 1000, .infinity]
        for x: Float in [0, 0.3, 1] {
            let logits = Matrix<Float>(rows: 1, cols: ys.count, storage: ys)
            let targets = Matrix<Float>(rows: 1, cols: ys.count, repeating: x)
            let (l, g) = CrossEntropy.lossesAndGradient(logits: logits, targets: targets)
            let c = CrossEntropy.curvature(logits: logits, targets: targets)
            #expect(
                l.allSatisfy { $0.isFinite } && g.storage.allSatisfy { $0.isFinite }
                    && c.storage.allSatisfy { $0.isFinite })
            // ℓ is at most −log ε ≈ 18.42 per pixel.
            #expect(l[0] <= 18.43)
        }
    }
}

struct ElementwiseKernelTests {
    @Test func eluValuesAndDerivative() {
        let a: [Double] = [-30, -2, -1e-3, 0, 1e-3, 0.5, 3]
        var h = a
        h.withUnsafeMutableBufferPointer { Double.activationForward(.elu, $0.baseAddress!, count: a.count) }
        #expect(h == a.map { $0 > 0 ? $0 : expm1($0) })
        var g = [Double](repeating: 2, count: a.count)
        g.withUnsafeMutableBufferPointer { gp in
            h.withUnsafeBufferPointer { hp in
                Double.activationBackward(.elu, gp.baseAddress!, activations: hp.baseAddress!, count: a.count)
            }
        }
        let fd = a.map { a0 in FiniteDifferences.gradient(at: [a0], step: 1e-6) { $0[0] > 0 ? $0[0] : expm1($0[0]) }[0]
        }
        // At 0 the two one-sided slopes agree (both 1), so the derivative is continuous there.
        expectClose(g, fd.map { 2 * $0 }, relative: 1e-6, absolute: 1e-9)
        var hf = a.map { Float($0) }
        hf.withUnsafeMutableBufferPointer { Float.activationForward(.elu, $0.baseAddress!, count: a.count) }
        expectClose(hf, a.map { $0 > 0 ? $0 : expm1($0) }, relative: 1e-6, absolute: 0)
    }

    @Test func biasBroadcastColumnSumsAndCombinations() {
        let m = Fixtures.uniform(5, 7, seed: 11)
        let bias = (0..<7).map { Double($0) - 3 }
        var y = m
        y.storage.withUnsafeMutableBufferPointer { yp in
            bias.withUnsafeBufferPointer { bp in
                Double.addRowBroadcast(bp.baseAddress!, to: yp.baseAddress!, rows: 5, cols: 7)
            }
        }
        #expect(y.storage == (0..<35).map { m.storage[$0] + bias[$0 % 7] })

        var sums = [Double](repeating: 100, count: 7)
        m.storage.withUnsafeBufferPointer { mp in
            sums.withUnsafeMutableBufferPointer { sp in
                Double.columnSums(mp.baseAddress!, rows: 5, cols: 7, scale: 2, accumulate: true, into: sp.baseAddress!)
            }
        }
        let columns = (0..<7).map { c in (0..<5).reduce(0.0) { $0 + m[$1, c] } }
        expectClose(sums, columns.map { 100 + 2 * $0 }, relative: 1e-14, absolute: 1e-14)
        m.storage.withUnsafeBufferPointer { mp in
            sums.withUnsafeMutableBufferPointer { sp in
                Double.columnSums(mp.baseAddress!, rows: 5, cols: 7, scale: 1, accumulate: false, into: sp.baseAddress!)
            }
        }
        expectClose(sums, columns, relative: 1e-14, absolute: 1e-14)

        var z = Matrix<Double>(rows: 5, cols: 7, repeating: .nan)
        z.combine(3, m, 0)  // beta = 0 must not read the NaNs
        #expect(z.storage == m.storage.map { 3 * $0 })
        z.add(m, scaledBy: -1)
        z.combine(1, m, 0.5)
        expectClose(z.storage, m.storage.map { $0 + 0.5 * 2 * $0 }, relative: 1e-14, absolute: 1e-15)
        var norms: [Double] = []
        m.rowSquaredNorms(into: &norms)
        expectClose(
            norms, (0..<5).map { r in (0..<7).reduce(0.0) { $0 + m[r, $1] * m[r, $1] } }, relative: 1e-14, absolute: 0)
        var v: [Float] = [1, 2, 3]
        v.add([1, 1, 1], scaledBy: 0.5)
        #expect(v == [1.5, 2.5, 3.5])
    }
}
