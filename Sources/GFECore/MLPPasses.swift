// The raw passes through an MLP: pointers in, no allocation, every weight product through
// `multiplyByWeight` (RowGemmProducts.swift: packed weights in Float), parameter-gradient
// products through `Scalar.gemm` (the same kernel in Float), every elementwise loop a
// `Scalar` kernel. The public entry points (MLP.swift, DecoderObjective.swift,
// AutoencoderObjective.swift) do the shape checks and buffer plumbing around these.
//
// Notation, per layer l = 0…L−1 with widths n_l = sizes[l]:
//   A_{l+1} = H_l·W_lᵀ + b_l,  H_{l+1} = f(A_{l+1}) for l+1 < L (f the architecture's activation),  Y = A_L.
//   Δ_l = ∂L/∂A_l (Δ_L = ∂L/∂Y),  E_l = ∂L/∂H_l = Δ_{l+1}·W_l,  Δ_l = E_l ⊙ f′(A_l).
//   ∂L/∂W_l = Δ_{l+1}ᵀ·H_l,  ∂L/∂b_l = Σ_rows Δ_{l+1},  ∂L/∂X = E_0.

extension MLP {
    /// Fills activation[1…L] of the workspace from activation[0] (the input, already copied in).
    func forwardPass(
        rows n: Int, parameters p: UnsafePointer<T>, workspace w: UnsafeMutablePointer<T>,
        layout: MLPWorkspaceLayout
    ) {
        let sizes = architecture.sizes
        let layers = sizes.count - 1
        for l in 0..<layers {
            let nOut = sizes[l + 1]
            let h = w + layout.activation[l]
            let a = w + layout.activation[l + 1]
            // A = H·Wᵀ (W is [out, in] row-major) then + b on every row.
            multiplyByWeight(.transposed, layer: l, rows: n, h, parameters: p, into: a)
            T.addRowBroadcast(p + biasOffsets[l], to: a, rows: n, cols: nOut)
            if l + 1 < layers { T.activationForward(architecture.activation, a, count: n * nOut) }
        }
    }

    /// Backpropagates delta[L] (already filled) through the stored forward pass. Writes E_0 = ∂L/∂X into
    /// `inputGradient` (n × n_0) when non-nil, and (accumulate ? g : 0) + scale·∂L/∂θ into
    /// `parameterGradient` when non-nil. With neither requested nothing is computed; without the parameter
    /// gradient no weight-gradient product is formed (the ∇_z hot path).
    func backwardPass(
        rows n: Int, parameters p: UnsafePointer<T>, workspace w: UnsafeMutablePointer<T>,
        layout: MLPWorkspaceLayout, inputGradient: UnsafeMutablePointer<T>?,
        parameterGradient: UnsafeMutablePointer<T>?, scale: T, accumulate: Bool
    ) {
        if parameterGradient == nil && inputGradient == nil { return }
        let sizes = architecture.sizes
        let layers = sizes.count - 1
        if n == 0 {
            // An empty batch contributes nothing.
            if let g = parameterGradient, !accumulate { g.update(repeating: 0, count: architecture.parameterCount) }
            return
        }
        let beta: T = accumulate ? 1 : 0
        for l in stride(from: layers - 1, through: 0, by: -1) {
            let (nIn, nOut) = (sizes[l], sizes[l + 1])
            let dA = w + layout.delta[l + 1]
            if let g = parameterGradient {
                // ∂L/∂W_l = Δ_{l+1}ᵀ·H_l ([out, in]); ∂L/∂b_l = column sums of Δ_{l+1}.
                T.gemm(
                    transA: true, transB: false, m: nOut, n: nIn, k: n,
                    alpha: scale, a: dA, lda: nOut, b: w + layout.activation[l], ldb: nIn,
                    beta: beta, c: g + weightOffsets[l], ldc: nIn)
                T.columnSums(dA, rows: n, cols: nOut, scale: scale, accumulate: accumulate, into: g + biasOffsets[l])
            }
            if l > 0 {
                // E_l = Δ_{l+1}·W_l, then Δ_l = E_l ⊙ f′(A_l) in place.
                let dH = w + layout.delta[l]
                multiplyByWeight(.plain, layer: l, rows: n, dA, parameters: p, into: dH)
                T.activationBackward(architecture.activation, dH, activations: w + layout.activation[l], count: n * nIn)
            } else if let dX = inputGradient {
                multiplyByWeight(.plain, layer: l, rows: n, dA, parameters: p, into: dX)
            }
        }
    }

    /// One forward-over-reverse (Pearlmutter R-operator) pass for the reconstruction loss `loss`, in direction
    /// V = tangent[0] (already filled) of the input, after the forward pass and with delta[L] = ∂L/∂Y
    /// already filled by the loss kernel. R{·} is the directional derivative d/dε at X + εV, θ fixed.
    ///
    /// Forward tangents:   Ḣ_0 = V,  Ȧ_{l+1} = Ḣ_l·W_lᵀ,  Ḣ_{l+1} = f′(A_{l+1}) ⊙ Ȧ_{l+1},  Ẏ = Ȧ_L.
    /// Loss:               R{Δ_L} = ℓ″(Y) ⊙ Ẏ (the loss is a sum of per-output terms: diagonal Hessian).
    /// Backward tangents:  R{E_l} = R{Δ_{l+1}}·W_l,
    ///                     R{Δ_l} = R{E_l} ⊙ f′(A_l) + E_l ⊙ f″(A_l) ⊙ Ȧ_l,
    ///                     R{∂L/∂W_l} = R{Δ_{l+1}}ᵀ·H_l + Δ_{l+1}ᵀ·Ḣ_l,  R{∂L/∂b_l} = Σ_rows R{Δ_{l+1}}.
    /// Results:            R{∂L/∂X} = R{E_0} — row i is Hᵢ vᵢ, Hᵢ the Hessian of ℓᵢ w.r.t. xᵢ (rows
    ///                     are independent, so the batch Hessian is block diagonal); and
    ///                     R{∂L/∂θ} = ∂_θ(Σᵢ vᵢ·∇_{xᵢ} L) (mixed partials commute).
    /// Also writes E_0 = ∂L/∂X into `inputGradient` when non-nil.
    func secondOrderPass(
        rows n: Int, parameters p: UnsafePointer<T>, workspace w: UnsafeMutablePointer<T>,
        layout: MLPWorkspaceLayout, targets: UnsafePointer<T>, loss: ReconstructionLoss,
        inputGradient: UnsafeMutablePointer<T>?, hessianProduct: UnsafeMutablePointer<T>,
        mixedParameterGradient: UnsafeMutablePointer<T>?, scale: T, accumulate: Bool
    ) {
        let sizes = architecture.sizes
        let layers = sizes.count - 1
        if n == 0 {
            if let g = mixedParameterGradient, !accumulate {
                g.update(repeating: 0, count: architecture.parameterCount)
            }
            return
        }
        // Forward tangents (the forward pass itself has already run).
        for l in 0..<layers {
            let nOut = sizes[l + 1]
            let out = l + 1 < layers ? w + layout.tangent[l + 1] : w + layout.tangentDelta[layers]
            multiplyByWeight(.transposed, layer: l, rows: n, w + layout.tangent[l], parameters: p, into: out)
            if l + 1 < layers {
                T.activationBackward(
                    architecture.activation, out, activations: w + layout.activation[l + 1], count: n * nOut)
            }
        }
        // R{Δ_L} = ℓ″(Y) ⊙ Ẏ, in place over Ẏ.
        let nY = sizes[layers]
        loss.curvature(
            outputs: w + layout.activation[layers], targets: targets, count: n * nY, cols: nY,
            tangents: w + layout.tangentDelta[layers])
        // Backward, carrying (Δ, R{Δ}).
        let beta: T = accumulate ? 1 : 0
        for l in stride(from: layers - 1, through: 0, by: -1) {
            let (nIn, nOut) = (sizes[l], sizes[l + 1])
            let dA = w + layout.delta[l + 1]
            let dADot = w + layout.tangentDelta[l + 1]
            if let g = mixedParameterGradient {
                T.gemm(
                    transA: true, transB: false, m: nOut, n: nIn, k: n,
                    alpha: scale, a: dADot, lda: nOut, b: w + layout.activation[l], ldb: nIn,
                    beta: beta, c: g + weightOffsets[l], ldc: nIn)
                T.gemm(
                    transA: true, transB: false, m: nOut, n: nIn, k: n,
                    alpha: scale, a: dA, lda: nOut, b: w + layout.tangent[l], ldb: nIn,
                    beta: 1, c: g + weightOffsets[l], ldc: nIn)
                T.columnSums(dADot, rows: n, cols: nOut, scale: scale, accumulate: accumulate, into: g + biasOffsets[l])
            }
            if l > 0 {
                let e = w + layout.delta[l]
                let eDot = w + layout.tangentDelta[l]
                multiplyByWeight(.plain, layer: l, rows: n, dA, parameters: p, into: e)
                multiplyByWeight(.plain, layer: l, rows: n, dADot, parameters: p, into: eDot)
                T.activationBackwardSecondOrder(
                    architecture.activation, gradient: e, gradientTangent: eDot, activations: w + layout.activation[l],
                    activationTangents: w + layout.tangent[l], count: n * nIn)
            } else {
                if let dX = inputGradient {
                    multiplyByWeight(.plain, layer: l, rows: n, dA, parameters: p, into: dX)
                }
                multiplyByWeight(.plain, layer: l, rows: n, dADot, parameters: p, into: hessianProduct)
            }
        }
    }
}
