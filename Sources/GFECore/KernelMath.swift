// The elementary functions used inside the elementwise kernels.
//
// Double kernels call the C library (the reference precision, used by the exactness tests). Float kernels
// use the branch-free versions below instead: a loop that calls expm1f/expf/logf cannot be vectorised, and
// those calls were 30–40 % of a forward + backward pass. Each Float function is within about 2 ulp of the
// correctly rounded value over the documented domain (tested against the Double C library in
// KernelMathTests), propagates NaN, and never traps: the integer steps use wrapping arithmetic on bit
// patterns instead of float-to-integer conversions.

/// The elementary functions a kernel body needs, chosen per scalar type.
protocol KernelMath {
    associatedtype Value: Scalar
    /// eˣ − 1 for x ≤ 0 (−∞ gives −1) or NaN.
    static func expm1NonPositive(_ x: Value) -> Value
    /// eˣ for x ≤ 0 (−∞ gives 0) or NaN.
    static func expNonPositive(_ x: Value) -> Value
    /// log x for positive normal x, or NaN.
    static func logPositive(_ x: Value) -> Value
}

extension KernelMath {
    /// tanh x from e^(−2|x|) − 1 (no cancellation near 0, ±1 beyond ±43); NaN stays NaN.
    @inline(__always)
    static func tanh(_ x: Value) -> Value {
        let t = expm1NonPositive(-2 * x.magnitude)
        let m = -t / (2 + t)
        return x.isNaN ? x : Value(signOf: x, magnitudeOf: m)
    }

    /// log(1 + eˣ) = max(x, 0) + log1p(e^(−|x|)), with log1p(e) = log(u)·e/(u − 1), u = 1 + e: the quotient
    /// undoes the rounding of u, and where u rounds to 1, log1p(e) = e. NaN stays NaN.
    @inline(__always)
    static func softplus(_ x: Value) -> Value {
        let e = expNonPositive(-x.magnitude)
        let u = 1 + e
        let tail = u == 1 ? e : logPositive(u) * (e / (u - 1))
        let r = (x > 0 ? x : 0) + tail
        return x.isNaN ? x : r
    }
}

/// The C library's functions (through the `Scalar` requirements).
enum LibmMath<Value: Scalar>: KernelMath {
    @inline(__always) static func expm1NonPositive(_ x: Value) -> Value { Value.expm1(x) }
    @inline(__always) static func expNonPositive(_ x: Value) -> Value { Value.exp(x) }
    @inline(__always) static func logPositive(_ x: Value) -> Value { Value.log(x) }
}

/// Branch-free Float functions that the loop vectoriser can turn into SIMD code.
enum VectorFloatMath: KernelMath {
    /// Splits x (−87.3 ≤ x ≤ 0) as x = n·ln 2 + r with n an integer and |r| ≤ ln2/2 + tiny; returns
    /// (r, 2ⁿ) with 2ⁿ built from the exponent bits (n ≥ −126, so it is a normal number).
    /// Constants are locals, not static properties, so the optimiser sees plain literals in the loop.
    @inline(__always)
    static func reduce(_ x: Float) -> (r: Float, scale: Float) {
        // ln 2 split for Cody–Waite reduction: the high part has 17 significant bits, so n·ln2Hi is exact
        // for |n| < 128 and x − n·ln2Hi is exact too.
        let ln2Hi: Float = 0.693_145_751_953_125
        let ln2Lo: Float = 1.428_606_765_330_187_e-6
        let log2e: Float = 1.442_695_040_888_963_4
        // 1.5·2²³: adding it rounds to an integer held in the low mantissa bits (for |v| < 2²²).
        let roundingShift: Float = 12_582_912
        let shifted = x * log2e + roundingShift
        let n = shifted - roundingShift  // round(x·log2 e) as a Float
        let nBits = Int32(bitPattern: shifted.bitPattern) &- Int32(bitPattern: roundingShift.bitPattern)
        let scale = Float(bitPattern: UInt32(bitPattern: (nBits &+ 127) &<< 23))
        let r = (x - n * ln2Hi) - n * ln2Lo
        return (r, scale)
    }

    /// eʳ − 1 for |r| ≤ 0.35 by its Taylor series to r⁷ (truncation below 2e-8 relative), written
    /// r + r²·(1/2 + r/6 + …) so the leading term is exact and small r keep full relative precision.
    @inline(__always)
    static func expm1Reduced(_ r: Float) -> Float {
        let q: Float = 1 / 2 + r * (1 / 6 + r * (1 / 24 + r * (1 / 120 + r * (1 / 720 + r * (1 / 5040)))))
        return r + (r * r) * q
    }

    @inline(__always)
    static func expm1NonPositive(_ x: Float) -> Float {
        // Below −87 the result is −1 to Float precision; clamping keeps 2ⁿ normal. NaN takes a harmless
        // path (its comparisons are false) and is restored at the end.
        let xc: Float = x < -87 ? -87 : x
        let (r, scale) = reduce(xc)
        // eˣ − 1 = 2ⁿ(eʳ − 1) + (2ⁿ − 1); both parts exact or nearly, no cancellation for n ≤ −1.
        let result = scale * expm1Reduced(r) + (scale - 1)
        return x.isNaN ? x : result
    }

    @inline(__always)
    static func expNonPositive(_ x: Float) -> Float {
        let xc: Float = x < -87.3 ? -87.3 : x
        let (r, scale) = reduce(xc)
        let result = scale + scale * expm1Reduced(r)
        // Below −87.3 the true value is subnormal (< 1.2e-38): flushed to 0.
        return x.isNaN ? x : (x < -87.3 ? 0 : result)
    }

    @inline(__always)
    static func logPositive(_ x: Float) -> Float {
        // x = 2ᵏ·m with m in [√½, √2): subtracting the bits of √½ makes the exponent field k.
        let ln2Hi: Float = 0.693_145_751_953_125
        let ln2Lo: Float = 1.428_606_765_330_187_e-6
        let sqrtHalfBits: Int32 = 0x3F35_04F3
        let shifted = Int32(bitPattern: x.bitPattern) &- sqrtHalfBits
        let k = Float(shifted >> 23)
        let m = Float(bitPattern: UInt32(bitPattern: (shifted & 0x007F_FFFF) &+ sqrtHalfBits))
        // log m = log(1 + f) = 2 atanh(s), s = f/(2 + f), |s| ≤ 0.1716. With h = f²/2 one has 2s = f − h + s·h,
        // so log(1 + f) = f − h + s·(h + R), R = 2s²/3 + 2s⁴/5 + 2s⁶/7 + 2s⁸/9 (truncation ~1e-9 relative):
        // the leading f is exact, which keeps the rounding error near half an ulp.
        let f = m - 1
        let s = f / (2 + f)
        let z = s * s
        let rSeries: Float = z * (2 / 3 + z * (2 / 5 + z * (2 / 7 + z * (2 / 9))))
        let h = 0.5 * f * f
        let result = k * ln2Hi + (((k * ln2Lo + s * (h + rSeries)) - h) + f)
        return x.isNaN ? x : result
    }
}
