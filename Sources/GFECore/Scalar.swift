import CBLAS

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A floating-point type the engine computes in: `Float` for runs, `Double` for exactness tests.
///
/// Every matrix product goes through `gemm`: for Float the engine's own kernel (`RowGemm`: one arithmetic on
/// every CPU), for Double BLAS's cblas_dgemm (tests and references, where only accuracy matters).
/// The elementary functions are the C library's (`expf`/`exp`, …) so Float and Double agree with C.
public protocol Scalar: BinaryFloatingPoint, Sendable where Self.RawSignificand: FixedWidthInteger {
    static func exp(_ x: Self) -> Self
    static func expm1(_ x: Self) -> Self
    static func log(_ x: Self) -> Self
    static func log1p(_ x: Self) -> Self
    static func sqrt(_ x: Self) -> Self
    /// C ← alpha·op(A)·op(B) + beta·C, row-major, raw pointers with leading dimensions.
    static func gemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
        alpha: Self, a: UnsafePointer<Self>, lda: Int,
        b: UnsafePointer<Self>, ldb: Int,
        beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int)

    // MARK: Elementwise kernels (Kernels.swift)
    //
    // Requirements rather than generic functions so that each is compiled concretely for Float and Double:
    // generic code over `T: Scalar` in other modules is not specialised, and would otherwise run these
    // loops through witness tables element by element. All pointers are raw, rows are contiguous
    // (row-major, leading dimension = cols); no kernel allocates. Inside the kernels, Float uses the
    // vectorisable exp/expm1/log of KernelMath.swift (within 2 ulp, NaN-propagating) so that the loops
    // compile to SIMD code; Double uses the C library, as the reference precision for tests.

    /// In place: v ← f(v) for the activation f. The result is all that backward needs (see `Activation`).
    static func activationForward(_ activation: Activation, _ values: UnsafeMutablePointer<Self>, count: Int)
    /// In place: g ← g ⊙ f′(a), where `activations` holds h = f(a) (see `activationForward`).
    static func activationBackward(
        _ activation: Activation, _ gradient: UnsafeMutablePointer<Self>, activations: UnsafePointer<Self>,
        count: Int)
    /// The R-operator (forward-over-reverse) form of `activationBackward`. On entry `gradient` holds E = ∂L/∂h
    /// and `gradientTangent` its directional derivative Ė; `activations` h = f(a) and `activationTangents`
    /// ḣ = f′(a)·ȧ. On exit gradient = E ⊙ f′(a) and gradientTangent = Ė ⊙ f′(a) + E ⊙ f″(a) ⊙ ȧ, formed as
    /// E ⊙ (f″/f′)(h) ⊙ ḣ, so ȧ itself is not needed (for ELU, f″(a)·ȧ = ḣ where a ≤ 0 and 0 elsewhere).
    static func activationBackwardSecondOrder(
        _ activation: Activation, gradient: UnsafeMutablePointer<Self>, gradientTangent: UnsafeMutablePointer<Self>,
        activations: UnsafePointer<Self>, activationTangents: UnsafePointer<Self>, count: Int)

    /// Bias add with row broadcast: matrix[r, c] += row[c] for every row r of a rows × cols matrix.
    static func addRowBroadcast(_ row: UnsafePointer<Self>, to matrix: UnsafeMutablePointer<Self>, rows: Int, cols: Int)
    /// Column sums (the bias gradient): sums[c] ← (accumulate ? sums[c] : 0) + Σ_r scale·matrix[r, c],
    /// added in row order r = 0, 1, … (a fixed reduction order).
    static func columnSums(
        _ matrix: UnsafePointer<Self>, rows: Int, cols: Int, scale: Self, accumulate: Bool,
        into sums: UnsafeMutablePointer<Self>)

    /// The per-image loss of SPEC §3 on logits y against targets x (both rows × cols, P = cols):
    /// losses[r] = (1/P) Σ_p −x log(σ(y) + ε) − (1 − x) log(1 − σ(y) + ε), ε = 1e-8, with σ(y) and
    /// 1 − σ(y) = σ(−y) both evaluated from e^(−|y|) so saturated logits stay finite; each row's sum is
    /// accumulated in Double, in column order, then rounded to `Self` once. When `gradient` is
    /// non-nil it receives dℓ/dy = (1/P)·s(1 − s)·[(1 − x)/(1 − s + ε) − x/(s + ε)], s = σ(y), ε kept exactly.
    static func crossEntropy(
        logits: UnsafePointer<Self>, targets: UnsafePointer<Self>, rows: Int, cols: Int,
        losses: UnsafeMutablePointer<Self>, gradient: UnsafeMutablePointer<Self>?)
    /// In place: t ← (d²ℓ/dy²) ⊙ t over `count` elements, for the loss of `crossEntropy` with P = `pixels`
    /// (the Hessian of the loss w.r.t. the logits is diagonal). Exact with ε:
    /// d²ℓ/dy² = (u/P)·{ −x[(s̄ − s)/(s + ε) − u/(s + ε)²] + (1 − x)[(s̄ − s)/(s̄ + ε) + u/(s̄ + ε)²] },
    /// u = s·s̄, s = σ(y), s̄ = σ(−y).
    static func crossEntropyCurvature(
        logits: UnsafePointer<Self>, targets: UnsafePointer<Self>, count: Int, pixels: Int,
        tangents: UnsafeMutablePointer<Self>)

    /// The per-sample squared error (ReconstructionLoss.meanSquaredError) on outputs y against targets x (both
    /// rows × cols, P = cols): losses[r] = (1/P) Σ_p (y − x)², each row's sum accumulated in Double in column
    /// order; when `gradient` is non-nil it receives dℓ/dy = (2/P)(y − x).
    static func squaredError(
        outputs: UnsafePointer<Self>, targets: UnsafePointer<Self>, rows: Int, cols: Int,
        losses: UnsafeMutablePointer<Self>, gradient: UnsafeMutablePointer<Self>?)
    /// In place: t ← (2/P)·t over `count` elements (d²ℓ/dy² of `squaredError` with P = `pixels`).
    static func squaredErrorCurvature(count: Int, pixels: Int, tangents: UnsafeMutablePointer<Self>)

    /// y ← y + alpha·x.
    static func axpy(_ alpha: Self, _ x: UnsafePointer<Self>, _ y: UnsafeMutablePointer<Self>, count: Int)
    /// y ← alpha·x + beta·y; when beta == 0, y is overwritten without being read (NaNs in y do not leak).
    static func axpby(
        _ alpha: Self, _ x: UnsafePointer<Self>, _ beta: Self, _ y: UnsafeMutablePointer<Self>, count: Int)
    /// norms[r] = Σ_c matrix[r, c]², summed in column order.
    static func rowSquaredNorms(
        _ matrix: UnsafePointer<Self>, rows: Int, cols: Int, into norms: UnsafeMutablePointer<Self>)

    /// One RMSprop step, PyTorch semantics (torch.optim.RMSprop, no momentum, not centred):
    /// v ← v·alpha + oneMinusAlpha·g², θ ← θ − lr·g / (√v + eps).
    static func rmspropUpdate(
        parameters: UnsafeMutablePointer<Self>, gradient: UnsafePointer<Self>,
        squareAverage: UnsafeMutablePointer<Self>, count: Int,
        learningRate: Self, alpha: Self, oneMinusAlpha: Self, eps: Self)
    /// One Adam step, PyTorch semantics (torch.optim.Adam, no weight decay, not amsgrad):
    /// m ← m + oneMinusBeta1·(g − m) (torch's lerp), v ← v·beta2 + oneMinusBeta2·g²,
    /// θ ← θ − stepSize·m / (√v / biasCorrection2Sqrt + eps), with stepSize = lr / (1 − β1ᵗ) and
    /// biasCorrection2Sqrt = √(1 − β2ᵗ) computed by the caller in Double.
    static func adamUpdate(
        parameters: UnsafeMutablePointer<Self>, gradient: UnsafePointer<Self>,
        firstMoment: UnsafeMutablePointer<Self>, secondMoment: UnsafeMutablePointer<Self>, count: Int,
        stepSize: Self, biasCorrection2Sqrt: Self, oneMinusBeta1: Self, beta2: Self, oneMinusBeta2: Self, eps: Self)
}

@inline(__always) private func cblasTranspose(_ t: Bool) -> CBLAS_TRANSPOSE { t ? CblasTrans : CblasNoTrans }

extension Float: Scalar {
    @inlinable public static func exp(_ x: Float) -> Float { expf(x) }
    @inlinable public static func expm1(_ x: Float) -> Float { expm1f(x) }
    @inlinable public static func log(_ x: Float) -> Float { logf(x) }
    @inlinable public static func log1p(_ x: Float) -> Float { log1pf(x) }
    @inlinable public static func sqrt(_ x: Float) -> Float { sqrtf(x) }
    public static func gemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
        alpha: Float, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        RowGemm.gemm(
            transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
            b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    }
}

extension Double: Scalar {
    @inlinable public static func exp(_ x: Double) -> Double { Glibc.exp(x) }
    @inlinable public static func expm1(_ x: Double) -> Double { Glibc.expm1(x) }
    @inlinable public static func log(_ x: Double) -> Double { Glibc.log(x) }
    @inlinable public static func log1p(_ x: Double) -> Double { Glibc.log1p(x) }
    @inlinable public static func sqrt(_ x: Double) -> Double { x.squareRoot() }
    public static func gemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
        alpha: Double, a: UnsafePointer<Double>, lda: Int,
        b: UnsafePointer<Double>, ldb: Int,
        beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
    ) {
        cblas_dgemm(
            CblasRowMajor, cblasTranspose(transA), cblasTranspose(transB),
            Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }
}

/// OpenBLAS: Double products, and the single-precision reference the benchmarks measure the engine against.
/// The engine runs one BLAS thread per process; parallelism comes from running several runs or groups at once
/// (DESIGN.md, engine principles).
public enum BLAS {
    /// OpenBLAS's own sgemm (row-major; C ← alpha·op(A)·op(B) + beta·C). Never used for results: its order of
    /// operations depends on the CPU and on the kernel OpenBLAS picks. Benchmarks compare against it.
    public static func sgemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int, beta: Float,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        cblas_sgemm(
            CblasRowMajor, cblasTranspose(transA), cblasTranspose(transB),
            Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    public static func setThreads(_ n: Int) { openblas_set_num_threads(Int32(n)) }
    public static var threads: Int { Int(openblas_get_num_threads()) }
    /// OpenBLAS's build description, e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH ... Zen".
    public static var configuration: String { String(cString: openblas_get_config()) }
    public static var coreName: String { String(cString: openblas_get_corename()) }
}
