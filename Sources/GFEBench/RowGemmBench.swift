import GFECore
import GFESolvers

/// The decoder's eight weight products (forward X·Wᵀ and input-gradient G·W per layer) at `rows` rows:
/// the kernel (weights packed once, as the MLP caches them) against OpenBLAS's sgemm on the same
/// operands. Also the cost of packing the whole decoder (a solve pays it once per parameter update, during
/// its second pass).
func benchRowGemm(peak: SgemmPeak, architecture: Architecture, rows: [Int]) {
    struct Product { let k: Int, n: Int, transposed: Bool, w: Matrix<Float>, packed: RowGemmPackedMatrix }
    var rng = RNG(seed: 9, stream: "bench-row-gemm")
    func random(_ r: Int, _ c: Int) -> Matrix<Float> {
        Matrix(rows: r, cols: c, storage: (0..<(r * c)).map { _ in rng.uniform(Float(-1), 1) })
    }
    var products: [Product] = []
    for l in 0..<architecture.layerCount {  // W_l is [out, in]
        let (nIn, nOut) = (architecture.sizes[l], architecture.sizes[l + 1])
        let w = random(nOut, nIn)
        products.append(Product(k: nIn, n: nOut, transposed: true, w: w, packed: RowGemmPackedMatrix(transposeOf: w)))
        products.append(Product(k: nOut, n: nIn, transposed: false, w: w, packed: RowGemmPackedMatrix(w)))
    }
    let flopPerRow = products.reduce(0.0) { $0 + 2 * Double($1.k * $1.n) }
    for m in rows {
        let inputs = products.map { random(m, $0.k) }
        var outputs = products.map { Matrix<Float>(rows: m, cols: $0.n) }
        let flop = Double(m) * flopPerRow
        let shares = againstPeak(
            peak,
            flop: [flop, flop],
            [
                { for i in products.indices { RowGemm.multiply(inputs[i], products[i].packed, into: &outputs[i]) } },
                {
                    for i in products.indices {
                        blasProduct(inputs[i], products[i].w, transB: products[i].transposed, into: &outputs[i])
                    }
                }
            ])
        report("kernel, 8 products, n = \(m)", shares[0], flop: flop)
        report("BLAS sgemm, 8 products, n = \(m)", shares[1], flop: flop)
    }
    let weights = products.map(\.w)
    let pack = secondsPerCall {
        for (i, w) in weights.enumerated() {
            _ = i % 2 == 0 ? RowGemmPackedMatrix(transposeOf: w) : RowGemmPackedMatrix(w)
        }
    }
    print(String(format: "packing the decoder's weights (both forms): %.3f ms per parameter update", pack * 1e3))
}

/// The decoder's four parameter-gradient products ∂L/∂W_l = Δ_{l+1}ᵀ·H_l at `batch` rows (what every training
/// step computes, once per network): the kernel against OpenBLAS's sgemm on the same operands.
func benchParameterGradients(peak: SgemmPeak, architecture: Architecture, batch: Int) {
    var rng = RNG(seed: 11, stream: "bench-parameter-gradients")
    func random(_ count: Int) -> [Float] { (0..<count).map { _ in rng.uniform(Float(-1), 1) } }
    let layers = (0..<architecture.layerCount).map { l in (nIn: architecture.sizes[l], nOut: architecture.sizes[l + 1])
    }
    let deltas = layers.map { random(batch * $0.nOut) }
    let activations = layers.map { random(batch * $0.nIn) }
    var gradients = layers.map { [Float](repeating: 0, count: $0.nIn * $0.nOut) }
    let flop = layers.reduce(0.0) { $0 + 2 * Double(batch * $1.nIn * $1.nOut) }
    func products(_ multiply: (Int, UnsafePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>) -> Void) {
        for l in layers.indices {
            deltas[l].withUnsafeBufferPointer { d in
                activations[l].withUnsafeBufferPointer { h in
                    gradients[l].withUnsafeMutableBufferPointer { g in
                        multiply(l, d.baseAddress!, h.baseAddress!, g.baseAddress!)
                    }
                }
            }
        }
    }
    let shares = againstPeak(
        peak,
        flop: [flop, flop],
        [
            {
                products { l, d, h, g in
                    RowGemm.gemm(
                        transA: true, transB: false, m: layers[l].nOut, n: layers[l].nIn, k: batch, alpha: 1, a: d,
                        lda: layers[l].nOut, b: h, ldb: layers[l].nIn, beta: 0, c: g, ldc: layers[l].nIn)
                }
            },
            {
                products { l, d, h, g in
                    BLAS.sgemm(
                        transA: true, transB: false, m: layers[l].nOut, n: layers[l].nIn, k: batch, alpha: 1, a: d,
                        lda: layers[l].nOut, b: h, ldb: layers[l].nIn, beta: 0, c: g, ldc: layers[l].nIn)
                }
            }
        ])
    report("kernel, ∇θ products Δᵀ·H, B = \(batch)", shares[0], flop: flop)
    report("BLAS sgemm, ∇θ products, B = \(batch)", shares[1], flop: flop)
    // Round by round, like the peak shares.
    let timeRatio = zip(shares[0].roundSeconds, shares[1].roundSeconds).map(/).median
    print(String(format: "  kernel / BLAS time for the parameter gradients: %.2f", timeRatio))
}

/// One AE training step at B = 16 (forward and backward through encoder and decoder, RMSprop on both): every
/// weight is used once per update, so the kernel reads the weights unpacked (nothing is packed).
func benchAutoencoderStep() {
    var rng = RNG(seed: 10, stream: "bench-ae")
    var ae = AutoencoderObjective<Float>(seed: 2020, maxBatch: 16)
    let x = Matrix<Float>(rows: 16, cols: 784, storage: (0..<(16 * 784)).map { _ in rng.nextFloat() })
    var loss = [Float](repeating: 0, count: 16)
    var encoderGradient = [Float](repeating: 0, count: ae.encoder.parameterCount)
    var decoderGradient = [Float](repeating: 0, count: ae.decoder.parameterCount)
    var encoderOptimiser = RMSprop<Float>(parameterCount: ae.encoder.parameterCount)
    var decoderOptimiser = RMSprop<Float>(parameterCount: ae.decoder.parameterCount)
    let seconds = secondsPerCall {
        ae.lossAndParameterGradients(
            x: x, loss: &loss, encoderGradient: &encoderGradient, decoderGradient: &decoderGradient)
        encoderOptimiser.update(&ae.encoder.parameters, gradient: encoderGradient)
        decoderOptimiser.update(&ae.decoder.parameters, gradient: decoderGradient)
    }
    print(String(format: "AE training step, B = 16: %.3f ms/step", seconds * 1e3))
}

/// C ← A·op(B) through OpenBLAS's sgemm: the reference the engine's kernel is measured against.
func blasProduct(_ a: Matrix<Float>, _ b: Matrix<Float>, transB: Bool = false, into c: inout Matrix<Float>) {
    let n = transB ? b.rows : b.cols
    a.storage.withUnsafeBufferPointer { ap in
        b.storage.withUnsafeBufferPointer { bp in
            c.storage.withUnsafeMutableBufferPointer { cp in
                BLAS.sgemm(
                    transA: false, transB: transB, m: a.rows, n: n, k: a.cols, alpha: 1, a: ap.baseAddress!,
                    lda: a.cols, b: bp.baseAddress!, ldb: b.cols, beta: 0, c: cp.baseAddress!, ldc: n)
            }
        }
    }
}
