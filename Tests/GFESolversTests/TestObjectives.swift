import GFECore

@testable import GFESolvers

/// ℓᵢ(z) = ½ (zᵢ − cᵢ)ᵀ Aᵢ (zᵢ − cᵢ), ∇ℓᵢ = Aᵢ(zᵢ − cᵢ) (Aᵢ symmetric). Each row's cᵢ and Aᵢ travel in its
/// image row x_i = [cᵢ (d values), Aᵢ row-major (d² values)], so the objective is row-independent by
/// construction and grouped solving can be compared with sequential solving.
///
/// `poison`: when x has one more column holding a threshold θᵢ > 0, a row whose loss is below θᵢ returns
/// NaN (loss) — or +∞ in the gradient when θᵢ is negative (|θᵢ| is then the threshold).
struct QuadraticObjective<T: Scalar>: LatentObjective {
    let latentDim: Int
    var calls = 0
    var rowsPerCall: [Int] = []

    init(dim: Int) { latentDim = dim }

    static func row(center c: [Double], matrix a: [[Double]], poison: Double? = nil) -> [T] {
        (c + a.flatMap { $0 } + (poison.map { [$0] } ?? [])).map { T($0) }
    }

    mutating func lossAndGradient(z: Matrix<T>, x: Matrix<T>, loss: inout [T], gradient: inout Matrix<T>) {
        calls += 1
        rowsPerCall.append(z.rows)
        let d = latentDim
        let poisoned = x.cols == d + d * d + 1
        for i in 0..<z.rows {
            var l: T = 0
            for j in 0..<d {
                var gj: T = 0
                for k in 0..<d { gj += x[i, d + j * d + k] * (z[i, k] - x[i, k]) }
                gradient[i, j] = gj
                l += (z[i, j] - x[i, j]) * gj
            }
            loss[i] = l / 2
            if poisoned {
                let theta = x[i, d + d * d]
                if theta > 0 && loss[i] < theta { loss[i] = .nan }
                if theta < 0 && loss[i] < -theta { gradient[i, 0] = .infinity }
            }
        }
    }
}

/// ℓᵢ(z) = −sᵢ·zᵢ (d = 1), ∇ℓᵢ = −sᵢ with sᵢ = x[i, 0]: every Euler step lowers the loss by exactly
/// dt·sᵢ² in exact arithmetic, so the stop rule's slope is known in closed form.
struct LinearSlopeObjective: LatentObjective {
    typealias T = Double
    let latentDim = 1
    mutating func lossAndGradient(
        z: Matrix<Double>, x: Matrix<Double>, loss: inout [Double],
        gradient: inout Matrix<Double>
    ) {
        for i in 0..<z.rows {
            loss[i] = -x[i, 0] * z[i, 0]
            gradient[i, 0] = -x[i, 0]
        }
    }
}

/// A linear "decoder": ℓᵢ = (1/2P)‖W zᵢ + b − xᵢ‖², ∇ℓᵢ = Wᵀ(W zᵢ + b − xᵢ)/P, computed with the engine's
/// `gemm` on the whole batch, like the real decoder. Grouped == sequential holds for it because that product
/// (`RowGemm`) computes each output row the same way wherever it sits and whatever the number of rows.
struct LinearDecoderObjective: LatentObjective {
    typealias T = Float
    let latentDim: Int
    let w: Matrix<Float>  // P × d
    let b: [Float]
    private var y = Matrix<Float>(rows: 0, cols: 0)

    init(dim: Int, pixels: Int, seed: UInt64) {
        latentDim = dim
        var rng = RNG(seed: seed, stream: "linear-decoder")
        w = Matrix(rows: pixels, cols: dim, storage: (0..<(pixels * dim)).map { _ in rng.uniform(Float(-0.5), 0.5) })
        b = (0..<pixels).map { _ in rng.uniform(Float(-0.1), 0.1) }
    }

    mutating func lossAndGradient(
        z: Matrix<Float>, x: Matrix<Float>, loss: inout [Float],
        gradient: inout Matrix<Float>
    ) {
        let p = w.rows
        if y.rows != z.rows || y.cols != p { y = Matrix(rows: z.rows, cols: p) }
        gemm(z, w, transB: true, into: &y)  // n×d · (P×d)ᵀ
        for i in 0..<z.rows {
            var l: Float = 0
            for j in 0..<p {
                let r = y[i, j] + b[j] - x[i, j]
                y[i, j] = r / Float(p)
                l += r * r
            }
            loss[i] = l / Float(2 * p)
        }
        gemm(y, w, into: &gradient)  // n×P · P×d
    }
}

/// Builds random SPD quadratic rows for tests (A = MᵀM/d + δI, eigenvalues spread by `scale`).
func randomQuadraticRows<T: Scalar>(
    count: Int, dim d: Int, rng: inout RNG, scale: ClosedRange<Double> = 0.01...1, poison: [Double?]? = nil,
    as: T.Type = T.self
) -> Matrix<T> {
    var storage: [T] = []
    for i in 0..<count {
        let c = (0..<d).map { _ in rng.uniform(-1.0, 1.0) }
        let m = (0..<d).map { _ in (0..<d).map { _ in rng.uniform(-1.0, 1.0) } }
        let s = scale.lowerBound + (scale.upperBound - scale.lowerBound) * rng.nextDouble()
        var a = [[Double]](repeating: [Double](repeating: 0, count: d), count: d)
        for j in 0..<d {
            for k in 0..<d {
                var v = 0.0
                for l in 0..<d { v += m[l][j] * m[l][k] }
                a[j][k] = s * (v / Double(d) + (j == k ? 0.1 : 0))
            }
        }
        storage += QuadraticObjective<T>.row(center: c, matrix: a, poison: poison.map { $0[i] ?? 0 })
    }
    let cols = d + d * d + (poison == nil ? 0 : 1)
    return Matrix(rows: count, cols: cols, storage: storage)
}

func matrix<T: Scalar>(_ rows: [[Double]], as: T.Type = T.self) -> Matrix<T> {
    Matrix(rows: rows.count, cols: rows.first?.count ?? 0, storage: rows.flatMap { $0 }.map { T($0) })
}

/// Rows `range` of m.
func slice<T: Scalar>(_ m: Matrix<T>, _ range: Range<Int>) -> Matrix<T> {
    Matrix(
        rows: range.count, cols: m.cols,
        storage: Array(m.storage[(range.lowerBound * m.cols)..<(range.upperBound * m.cols)]))
}
