// The elementwise kernels of the engine, written once as generic bodies and compiled concretely for Float
// and Double through the `Scalar` requirements at the end of this file. The bodies are
// `@inline(__always)` so that each concrete requirement gets its own specialised loop (no witness-table
// calls per element). Contracts are documented on the requirements in Scalar.swift.

/// Namespace for the kernel bodies. Internal: callers use the `Scalar` requirements.
enum KernelBody {
    // MARK: Activations (see `Activation`)

    @inline(__always)
    static func activationForward<M: KernelMath>(
        _: M.Type, _ activation: Activation, _ v: UnsafeMutablePointer<M.Value>, _ count: Int
    ) {
        switch activation {
        case .elu:
            for i in 0..<count {
                let a = v[i]
                // Evaluated for every element (clamped to ≤ 0) and selected, so the loop has no branch;
                // NaN fails `a > 0` and comes back as NaN from expm1.
                let negative = M.expm1NonPositive(a > 0 ? 0 : a)
                v[i] = a > 0 ? a : negative
            }
        // NaN fails `a < 0` and stays NaN.
        case .relu: for i in 0..<count { v[i] = v[i] < 0 ? 0 : v[i] }
        case .tanh: for i in 0..<count { v[i] = M.tanh(v[i]) }
        case .softplus: for i in 0..<count { v[i] = M.softplus(v[i]) }
        }
    }

    /// ELU′(a) from h = ELU(a): 1 where h > 0, h + 1 = eᵃ elsewhere (a = 0 gives h + 1 = 1, as it should).
    @inline(__always)
    static func eluDerivative<T: Scalar>(_ h: T) -> T { h > 0 ? 1 : h + 1 }

    @inline(__always)
    static func activationBackward<M: KernelMath>(
        _: M.Type, _ activation: Activation, _ g: UnsafeMutablePointer<M.Value>, _ h: UnsafePointer<M.Value>,
        _ count: Int
    ) {
        switch activation {
        case .elu: for i in 0..<count { g[i] *= eluDerivative(h[i]) }
        case .relu: for i in 0..<count { g[i] = h[i] > 0 ? g[i] : 0 }
        case .tanh: for i in 0..<count { g[i] *= 1 - h[i] * h[i] }
        // σ(a) = 1 − e^(−h); h > 0.
        case .softplus: for i in 0..<count { g[i] *= -M.expm1NonPositive(-h[i]) }
        }
    }

    @inline(__always)
    static func activationBackwardSecondOrder<M: KernelMath>(
        _: M.Type, _ activation: Activation, _ e: UnsafeMutablePointer<M.Value>,
        _ eDot: UnsafeMutablePointer<M.Value>, _ h: UnsafePointer<M.Value>, _ hDot: UnsafePointer<M.Value>,
        _ count: Int
    ) {
        typealias T = M.Value
        switch activation {
        case .elu:
            for i in 0..<count {
                let hi = h[i]
                let d = eluDerivative(hi)
                // ELU″(a)·ȧ: eᵃ·ȧ = ḣ on the exponential branch, 0 on the linear one.
                let curvatureTerm: T = hi > 0 ? 0 : hDot[i]
                let ei = e[i]
                eDot[i] = eDot[i] * d + ei * curvatureTerm
                e[i] = ei * d
            }
        case .relu:
            for i in 0..<count {
                let active = h[i] > 0
                eDot[i] = active ? eDot[i] : 0
                e[i] = active ? e[i] : 0
            }
        case .tanh:
            for i in 0..<count {
                let hi = h[i]
                let d = 1 - hi * hi
                let ei = e[i]
                eDot[i] = eDot[i] * d + ei * (-2 * hi * hDot[i])
                e[i] = ei * d
            }
        case .softplus:
            for i in 0..<count {
                let notSigma = M.expNonPositive(-h[i])  // 1 − σ(a)
                let d = -M.expm1NonPositive(-h[i])  // σ(a)
                let ei = e[i]
                eDot[i] = eDot[i] * d + ei * (notSigma * hDot[i])
                e[i] = ei * d
            }
        }
    }

    // MARK: Bias

    @inline(__always)
    static func addRowBroadcast<T: Scalar>(
        _ row: UnsafePointer<T>, _ m: UnsafeMutablePointer<T>, _ rows: Int, _ cols: Int
    ) {
        for r in 0..<rows {
            let dst = m + r * cols
            for c in 0..<cols { dst[c] += row[c] }
        }
    }

    @inline(__always)
    static func columnSums<T: Scalar>(
        _ m: UnsafePointer<T>, _ rows: Int, _ cols: Int, _ scale: T, _ accumulate: Bool, _ sums: UnsafeMutablePointer<T>
    ) {
        if !accumulate { sums.update(repeating: 0, count: cols) }
        for r in 0..<rows {
            let src = m + r * cols
            for c in 0..<cols { sums[c] += scale * src[c] }
        }
    }

    // MARK: Loss (SPEC §3)

    /// ε of SPEC §3, inside both logarithms.
    @inline(__always) static func epsilon<T: Scalar>(_: T.Type) -> T { 1e-8 }

    /// (σ(y), σ(−y)) from e^(−|y|): neither 1 − σ nor e^(+|y|) is ever formed, so ±50 (or ±∞) is safe.
    @inline(__always)
    static func sigmoidPair<M: KernelMath>(_: M.Type, _ y: M.Value) -> (s: M.Value, sBar: M.Value) {
        typealias T = M.Value
        let e = M.expNonPositive(-y.magnitude)
        let d = 1 + e
        let big = 1 / d
        let small = e / d
        return y >= 0 ? (big, small) : (small, big)
    }

    /// Per-pixel loss term and dℓ/dy·P for one logit (see `Scalar.crossEntropy`).
    @inline(__always)
    static func pixelLoss<M: KernelMath>(_: M.Type, _ y: M.Value, _ x: M.Value) -> (loss: M.Value, slope: M.Value) {
        typealias T = M.Value
        let eps = epsilon(T.self)
        let (s, sBar) = sigmoidPair(M.self, y)
        let loss = -x * M.logPositive(s + eps) - (1 - x) * M.logPositive(sBar + eps)
        let slope = s * sBar * ((1 - x) / (sBar + eps) - x / (s + eps))
        return (loss, slope)
    }

    /// Columns per chunk of the loss row sum: the per-pixel terms of a chunk go to a stack buffer
    /// (1 KiB for Double) by a loop free of reductions, so it vectorises; the sum over the buffer stays
    /// serial, in column order, in Double.
    static var lossChunk: Int { 128 }

    @inline(__always)
    static func crossEntropy<M: KernelMath>(
        _: M.Type, _ logits: UnsafePointer<M.Value>, _ targets: UnsafePointer<M.Value>, _ rows: Int, _ cols: Int,
        _ losses: UnsafeMutablePointer<M.Value>, _ gradient: UnsafeMutablePointer<M.Value>?
    ) {
        typealias T = M.Value
        let pixels = T(cols)
        withUnsafeTemporaryAllocation(of: T.self, capacity: lossChunk) { buffer in
            let terms = buffer.baseAddress!
            for r in 0..<rows {
                // The row sum is accumulated in Double: a Float running sum over 784 terms of up to 18.4
                // would lose ~1e-5 relative, and the solvers compare losses of neighbouring points.
                var sum: Double = 0
                var start = 0
                while start < cols {
                    let length = min(lossChunk, cols - start)
                    let y = logits + r * cols + start
                    let x = targets + r * cols + start
                    if let gradient {
                        let g = gradient + r * cols + start
                        for j in 0..<length {
                            let (loss, slope) = pixelLoss(M.self, y[j], x[j])
                            terms[j] = loss
                            g[j] = slope / pixels
                        }
                    } else {
                        for j in 0..<length { terms[j] = pixelLoss(M.self, y[j], x[j]).loss }
                    }
                    for j in 0..<length { sum += Double(terms[j]) }
                    start += length
                }
                losses[r] = T(sum / Double(cols))
            }
        }
    }

    @inline(__always)
    static func crossEntropyCurvature<M: KernelMath>(
        _: M.Type, _ logits: UnsafePointer<M.Value>, _ targets: UnsafePointer<M.Value>, _ count: Int, _ pixels: Int,
        _ tangents: UnsafeMutablePointer<M.Value>
    ) {
        typealias T = M.Value
        let eps = epsilon(T.self)
        let p = T(pixels)
        for i in 0..<count {
            let (s, sBar) = sigmoidPair(M.self, logits[i])
            let x = targets[i]
            let u = s * sBar  // σ′(y)
            let a = 1 / (s + eps)
            let b = 1 / (sBar + eps)
            let slope = sBar - s  // σ″(y) / σ′(y)
            // d/dy[u/(s+ε)] = u[(s̄−s)/(s+ε) − u/(s+ε)²];  d/dy[u/(s̄+ε)] = u[(s̄−s)/(s̄+ε) + u/(s̄+ε)²].
            let fromOne: T = slope * a - u * a * a
            let fromZero: T = slope * b + u * b * b
            let second: T = u * ((1 - x) * fromZero - x * fromOne)
            tangents[i] *= second / p
        }
    }

    /// See `Scalar.squaredError`.
    @inline(__always)
    static func squaredError<T: Scalar>(
        _ y: UnsafePointer<T>, _ x: UnsafePointer<T>, _ rows: Int, _ cols: Int, _ losses: UnsafeMutablePointer<T>,
        _ gradient: UnsafeMutablePointer<T>?
    ) {
        let scale = 2 / T(cols)
        for r in 0..<rows {
            let (yr, xr) = (y + r * cols, x + r * cols)
            var sum: Double = 0
            for j in 0..<cols {
                let d = yr[j] - xr[j]
                sum += Double(d * d)
            }
            losses[r] = T(sum / Double(cols))
            if let gradient {
                let g = gradient + r * cols
                for j in 0..<cols { g[j] = scale * (yr[j] - xr[j]) }
            }
        }
    }

    // MARK: Vectors

    @inline(__always)
    static func axpy<T: Scalar>(_ alpha: T, _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, _ count: Int) {
        for i in 0..<count { y[i] += alpha * x[i] }
    }

    @inline(__always)
    static func axpby<T: Scalar>(
        _ alpha: T, _ x: UnsafePointer<T>, _ beta: T, _ y: UnsafeMutablePointer<T>, _ count: Int
    ) {
        if beta == 0 {
            for i in 0..<count { y[i] = alpha * x[i] }
        } else {
            for i in 0..<count { y[i] = alpha * x[i] + beta * y[i] }
        }
    }

    @inline(__always)
    static func rowSquaredNorms<T: Scalar>(
        _ m: UnsafePointer<T>, _ rows: Int, _ cols: Int, _ norms: UnsafeMutablePointer<T>
    ) {
        for r in 0..<rows {
            let row = m + r * cols
            var s: T = 0
            for c in 0..<cols { s += row[c] * row[c] }
            norms[r] = s
        }
    }

    // MARK: Optimisers

    @inline(__always)
    static func rmspropUpdate<T: Scalar>(
        _ p: UnsafeMutablePointer<T>, _ g: UnsafePointer<T>, _ v: UnsafeMutablePointer<T>, _ count: Int,
        _ lr: T, _ alpha: T, _ oneMinusAlpha: T, _ eps: T
    ) {
        for i in 0..<count {
            let gi = g[i]
            let vi = v[i] * alpha + oneMinusAlpha * gi * gi
            v[i] = vi
            p[i] -= lr * gi / (vi.squareRoot() + eps)
        }
    }

    @inline(__always)
    static func adamUpdate<T: Scalar>(
        _ p: UnsafeMutablePointer<T>, _ g: UnsafePointer<T>, _ m: UnsafeMutablePointer<T>, _ v: UnsafeMutablePointer<T>,
        _ count: Int, _ stepSize: T, _ bc2Sqrt: T, _ oneMinusBeta1: T, _ beta2: T, _ oneMinusBeta2: T, _ eps: T
    ) {
        for i in 0..<count {
            let gi = g[i]
            let mi = m[i] + oneMinusBeta1 * (gi - m[i])
            let vi = v[i] * beta2 + oneMinusBeta2 * gi * gi
            m[i] = mi
            v[i] = vi
            p[i] -= stepSize * mi / (vi.squareRoot() / bc2Sqrt + eps)
        }
    }
}

// The requirements. The bodies above are generic; the optimiser specialises and inlines them for Float and
// Double. Most requirements are the same for both (the default implementations below); those that call
// elementary functions choose them per type (KernelMath.swift): vectorisable Float versions, the C library
// for Double.

extension Scalar {
    public static func squaredError(
        outputs: UnsafePointer<Self>, targets: UnsafePointer<Self>, rows: Int, cols: Int,
        losses: UnsafeMutablePointer<Self>, gradient: UnsafeMutablePointer<Self>?
    ) {
        KernelBody.squaredError(outputs, targets, rows, cols, losses, gradient)
    }
    public static func squaredErrorCurvature(count: Int, pixels: Int, tangents: UnsafeMutablePointer<Self>) {
        let second = 2 / Self(pixels)
        for i in 0..<count { tangents[i] *= second }
    }
    public static func addRowBroadcast(
        _ row: UnsafePointer<Self>, to matrix: UnsafeMutablePointer<Self>, rows: Int, cols: Int
    ) {
        KernelBody.addRowBroadcast(row, matrix, rows, cols)
    }
    public static func columnSums(
        _ matrix: UnsafePointer<Self>, rows: Int, cols: Int, scale: Self, accumulate: Bool,
        into sums: UnsafeMutablePointer<Self>
    ) {
        KernelBody.columnSums(matrix, rows, cols, scale, accumulate, sums)
    }
    public static func axpy(_ alpha: Self, _ x: UnsafePointer<Self>, _ y: UnsafeMutablePointer<Self>, count: Int) {
        KernelBody.axpy(alpha, x, y, count)
    }
    public static func axpby(
        _ alpha: Self, _ x: UnsafePointer<Self>, _ beta: Self, _ y: UnsafeMutablePointer<Self>, count: Int
    ) {
        KernelBody.axpby(alpha, x, beta, y, count)
    }
    public static func rowSquaredNorms(
        _ matrix: UnsafePointer<Self>, rows: Int, cols: Int, into norms: UnsafeMutablePointer<Self>
    ) {
        KernelBody.rowSquaredNorms(matrix, rows, cols, norms)
    }
    public static func rmspropUpdate(
        parameters: UnsafeMutablePointer<Self>, gradient: UnsafePointer<Self>,
        squareAverage: UnsafeMutablePointer<Self>,
        count: Int, learningRate: Self, alpha: Self, oneMinusAlpha: Self, eps: Self
    ) {
        KernelBody.rmspropUpdate(parameters, gradient, squareAverage, count, learningRate, alpha, oneMinusAlpha, eps)
    }
    public static func adamUpdate(
        parameters: UnsafeMutablePointer<Self>, gradient: UnsafePointer<Self>, firstMoment: UnsafeMutablePointer<Self>,
        secondMoment: UnsafeMutablePointer<Self>, count: Int, stepSize: Self, biasCorrection2Sqrt: Self,
        oneMinusBeta1: Self, beta2: Self, oneMinusBeta2: Self, eps: Self
    ) {
        KernelBody.adamUpdate(
            parameters, gradient, firstMoment, secondMoment, count,
            stepSize, biasCorrection2Sqrt, oneMinusBeta1, beta2, oneMinusBeta2, eps)
    }
}

extension Float {
    public static func activationForward(_ activation: Activation, _ values: UnsafeMutablePointer<Float>, count: Int) {
        KernelBody.activationForward(VectorFloatMath.self, activation, values, count)
    }
    public static func activationBackward(
        _ activation: Activation, _ gradient: UnsafeMutablePointer<Float>, activations: UnsafePointer<Float>, count: Int
    ) {
        KernelBody.activationBackward(VectorFloatMath.self, activation, gradient, activations, count)
    }
    public static func activationBackwardSecondOrder(
        _ activation: Activation, gradient: UnsafeMutablePointer<Float>, gradientTangent: UnsafeMutablePointer<Float>,
        activations: UnsafePointer<Float>, activationTangents: UnsafePointer<Float>, count: Int
    ) {
        KernelBody.activationBackwardSecondOrder(
            VectorFloatMath.self, activation, gradient, gradientTangent, activations, activationTangents, count)
    }
    public static func crossEntropy(
        logits: UnsafePointer<Float>, targets: UnsafePointer<Float>, rows: Int, cols: Int,
        losses: UnsafeMutablePointer<Float>, gradient: UnsafeMutablePointer<Float>?
    ) {
        KernelBody.crossEntropy(VectorFloatMath.self, logits, targets, rows, cols, losses, gradient)
    }
    public static func crossEntropyCurvature(
        logits: UnsafePointer<Float>, targets: UnsafePointer<Float>, count: Int, pixels: Int,
        tangents: UnsafeMutablePointer<Float>
    ) {
        KernelBody.crossEntropyCurvature(VectorFloatMath.self, logits, targets, count, pixels, tangents)
    }
}

extension Double {
    public static func activationForward(_ activation: Activation, _ values: UnsafeMutablePointer<Double>, count: Int) {
        KernelBody.activationForward(LibmMath<Double>.self, activation, values, count)
    }
    public static func activationBackward(
        _ activation: Activation, _ gradient: UnsafeMutablePointer<Double>, activations: UnsafePointer<Double>,
        count: Int
    ) {
        KernelBody.activationBackward(LibmMath<Double>.self, activation, gradient, activations, count)
    }
    public static func activationBackwardSecondOrder(
        _ activation: Activation, gradient: UnsafeMutablePointer<Double>, gradientTangent: UnsafeMutablePointer<Double>,
        activations: UnsafePointer<Double>, activationTangents: UnsafePointer<Double>, count: Int
    ) {
        KernelBody.activationBackwardSecondOrder(
            LibmMath<Double>.self, activation, gradient, gradientTangent, activations, activationTangents, count)
    }
    public static func crossEntropy(
        logits: UnsafePointer<Double>, targets: UnsafePointer<Double>, rows: Int, cols: Int,
        losses: UnsafeMutablePointer<Double>, gradient: UnsafeMutablePointer<Double>?
    ) {
        KernelBody.crossEntropy(LibmMath<Double>.self, logits, targets, rows, cols, losses, gradient)
    }
    public static func crossEntropyCurvature(
        logits: UnsafePointer<Double>, targets: UnsafePointer<Double>, count: Int, pixels: Int,
        tangents: UnsafeMutablePointer<Double>
    ) {
        KernelBody.crossEntropyCurvature(LibmMath<Double>.self, logits, targets, count, pixels, tangents)
    }
}
