// The two weight products of the MLP passes (MLPPasses.swift): in Float through the packed weights of the
// MLP's `RowGemmWeights` cache, in Double through `Double.gemm`.

extension MLP {
    /// A weight product of layer l, by `form`:
    /// - `.transposed`: output (n × sizes[l+1]) ← input (n × sizes[l]) · W_lᵀ, the forward form (A = H·Wᵀ, Ȧ = Ḣ·Wᵀ);
    /// - `.plain`: output (n × sizes[l]) ← input (n × sizes[l+1]) · W_l, the input-gradient form (E = Δ·W,
    ///   R{E} = R{Δ}·W).
    /// `parameters` must be this MLP's own parameter storage (the packs are made from it).
    @inline(__always)
    func multiplyByWeight(
        _ form: RowGemmWeights.Form, layer l: Int, rows n: Int, _ input: UnsafePointer<T>,
        parameters p: UnsafePointer<T>, into output: UnsafeMutablePointer<T>
    ) {
        let (nIn, nOut) = (architecture.sizes[l], architecture.sizes[l + 1])
        let transposed = form == .transposed
        let (k, width) = transposed ? (nIn, nOut) : (nOut, nIn)
        if let cache = rowGemmWeights {
            checkOwnParameters(p)
            cache.multiply(
                form, layer: l, weight: floats(p + weightOffsets[l]), inputs: nIn, outputs: nOut,
                rows: n, a: floats(input), lda: k, c: mutableFloats(output), ldc: width)
        } else {
            T.gemm(
                transA: false, transB: transposed, m: n, n: width, k: k,
                alpha: 1, a: input, lda: k, b: p + weightOffsets[l], ldb: nIn, beta: 0, c: output, ldc: width)
        }
    }

    /// The packs belong to `parameters`: a pass handed some other vector would silently use the wrong weights.
    @inline(__always)
    private func checkOwnParameters(_ p: UnsafePointer<T>) {
        precondition(
            parameters.withUnsafeBufferPointer { $0.baseAddress } == p,
            "\(architecture.name): a pass was given parameters that are not the MLP's own")
    }

    // The cache exists only when T is Float, so these reinterpretations are identities.
    @inline(__always) private func floats(_ p: UnsafePointer<T>) -> UnsafePointer<Float> {
        UnsafeRawPointer(p).assumingMemoryBound(to: Float.self)
    }
    @inline(__always) private func mutableFloats(_ p: UnsafeMutablePointer<T>) -> UnsafeMutablePointer<Float> {
        UnsafeMutableRawPointer(p).assumingMemoryBound(to: Float.self)
    }
}
