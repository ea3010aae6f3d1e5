import GFECore

/// The elementwise loops of the solvers (B×d sized: trial steps, Runge–Kutta combinations, norms).
///
/// The solvers are generic over the objective and so over `T: Scalar`, and generic code is not specialised
/// across modules: written generically, every `+` and `*` here would be a witness-table call. Each kernel
/// therefore checks once per call whether `T` is `Float` or `Double` and runs a concrete loop (the memory
/// really is bound to that type, so the rebinding is exact); any other `Scalar` takes the generic loop.
/// All loops run in index order without fused multiply-add, so results are deterministic and identical to
/// writing the arithmetic out by hand in the element type.
enum Kernels {
    /// out[i] = z[i] − a·g[i]   (the explicit Euler trial point; a = T(dt)).
    static func eulerStep<T: Scalar>(
        _ out: UnsafeMutablePointer<T>, _ z: UnsafePointer<T>, _ a: T, _ g: UnsafePointer<T>, _ n: Int
    ) {
        if T.self == Float.self {
            eulerStepF(rebind(out), rebind(z), unsafeBitCast(a, to: Float.self), rebind(g), n)
        } else if T.self == Double.self {
            eulerStepD(rebind(out), rebind(z), unsafeBitCast(a, to: Double.self), rebind(g), n)
        } else {
            for i in 0..<n { out[i] = z[i] - a * g[i] }
        }
    }

    /// y[i] += a·x[i].
    static func axpy<T: Scalar>(_ a: T, _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, _ n: Int) {
        if T.self == Float.self {
            axpyF(unsafeBitCast(a, to: Float.self), rebind(x), rebind(y), n)
        } else if T.self == Double.self {
            axpyD(unsafeBitCast(a, to: Double.self), rebind(x), rebind(y), n)
        } else {
            for i in 0..<n { y[i] += a * x[i] }
        }
    }

    /// out[i] = a·x[i] + b·y[i].
    static func axpby<T: Scalar>(
        _ out: UnsafeMutablePointer<T>, _ a: T, _ x: UnsafePointer<T>, _ b: T, _ y: UnsafePointer<T>, _ n: Int
    ) {
        if T.self == Float.self {
            axpbyF(
                rebind(out), unsafeBitCast(a, to: Float.self), rebind(x),
                unsafeBitCast(b, to: Float.self), rebind(y), n)
        } else if T.self == Double.self {
            axpbyD(
                rebind(out), unsafeBitCast(a, to: Double.self), rebind(x),
                unsafeBitCast(b, to: Double.self), rebind(y), n)
        } else {
            for i in 0..<n { out[i] = a * x[i] + b * y[i] }
        }
    }

    /// out[i] = a·x[i].
    static func scale<T: Scalar>(_ out: UnsafeMutablePointer<T>, _ a: T, _ x: UnsafePointer<T>, _ n: Int) {
        if T.self == Float.self {
            scaleF(rebind(out), unsafeBitCast(a, to: Float.self), rebind(x), n)
        } else if T.self == Double.self {
            scaleD(rebind(out), unsafeBitCast(a, to: Double.self), rebind(x), n)
        } else {
            for i in 0..<n { out[i] = a * x[i] }
        }
    }

    /// Σ x[i]² accumulated in `T`, in index order (the AMD acceptance test's ‖g̃ᵢ‖², as the authors' code).
    static func squaredNorm<T: Scalar>(_ x: UnsafePointer<T>, _ n: Int) -> T {
        if T.self == Float.self {
            return unsafeBitCast(squaredNormF(rebind(x), n), to: T.self)
        } else if T.self == Double.self {
            return unsafeBitCast(squaredNormD(rebind(x), n), to: T.self)
        }
        var s: T = 0
        for i in 0..<n { s += x[i] * x[i] }
        return s
    }

    /// √(Σ x[i]²) with the sum taken in Double (a reported statistic, not part of any decision).
    static func normInDouble<T: Scalar>(_ x: UnsafePointer<T>, _ n: Int) -> Double {
        var s = 0.0
        for i in 0..<n {
            let v = Double(x[i])
            s += v * v
        }
        return s.squareRoot()
    }

    /// Σ x[i] in Double, in index order.
    static func sumInDouble<T: Scalar>(_ x: UnsafePointer<T>, _ n: Int) -> Double {
        if T.self == Float.self {
            let p: UnsafePointer<Float> = rebind(x)
            var s = 0.0
            for i in 0..<n { s += Double(p[i]) }
            return s
        }
        var s = 0.0
        for i in 0..<n { s += Double(x[i]) }
        return s
    }

    /// True when no element is NaN or ±∞.
    static func allFinite<T: Scalar>(_ x: UnsafePointer<T>, _ n: Int) -> Bool {
        if T.self == Float.self {
            let p: UnsafePointer<Float> = rebind(x)
            for i in 0..<n where !p[i].isFinite { return false }
            return true
        }
        for i in 0..<n where !x[i].isFinite { return false }
        return true
    }

    // MARK: concrete loops

    private static func eulerStepF(
        _ out: UnsafeMutablePointer<Float>, _ z: UnsafePointer<Float>, _ a: Float, _ g: UnsafePointer<Float>, _ n: Int
    ) { for i in 0..<n { out[i] = z[i] - a * g[i] } }
    private static func eulerStepD(
        _ out: UnsafeMutablePointer<Double>, _ z: UnsafePointer<Double>, _ a: Double, _ g: UnsafePointer<Double>,
        _ n: Int
    ) { for i in 0..<n { out[i] = z[i] - a * g[i] } }

    private static func axpyF(_ a: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        for i in 0..<n { y[i] += a * x[i] }
    }
    private static func axpyD(_ a: Double, _ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, _ n: Int) {
        for i in 0..<n { y[i] += a * x[i] }
    }

    private static func axpbyF(
        _ out: UnsafeMutablePointer<Float>, _ a: Float, _ x: UnsafePointer<Float>, _ b: Float,
        _ y: UnsafePointer<Float>, _ n: Int
    ) { for i in 0..<n { out[i] = a * x[i] + b * y[i] } }
    private static func axpbyD(
        _ out: UnsafeMutablePointer<Double>, _ a: Double, _ x: UnsafePointer<Double>, _ b: Double,
        _ y: UnsafePointer<Double>, _ n: Int
    ) { for i in 0..<n { out[i] = a * x[i] + b * y[i] } }

    private static func scaleF(_ out: UnsafeMutablePointer<Float>, _ a: Float, _ x: UnsafePointer<Float>, _ n: Int) {
        for i in 0..<n { out[i] = a * x[i] }
    }
    private static func scaleD(_ out: UnsafeMutablePointer<Double>, _ a: Double, _ x: UnsafePointer<Double>, _ n: Int) {
        for i in 0..<n { out[i] = a * x[i] }
    }

    private static func squaredNormF(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
        var s: Float = 0
        for i in 0..<n { s += x[i] * x[i] }
        return s
    }
    private static func squaredNormD(_ x: UnsafePointer<Double>, _ n: Int) -> Double {
        var s: Double = 0
        for i in 0..<n { s += x[i] * x[i] }
        return s
    }

    /// Reinterprets a pointer whose memory is bound to `U` (checked by the caller: T.self == U.self).
    @inline(__always) private static func rebind<T, U>(_ p: UnsafePointer<T>) -> UnsafePointer<U> {
        UnsafeRawPointer(p).assumingMemoryBound(to: U.self)
    }
    @inline(__always) private static func rebind<T, U>(_ p: UnsafeMutablePointer<T>) -> UnsafeMutablePointer<U> {
        UnsafeMutableRawPointer(p).assumingMemoryBound(to: U.self)
    }
}
