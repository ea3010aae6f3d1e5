/// The decoder loss as a function of the latents, for the encoders (SPEC §4) and the decoder updates
/// (SPEC §5): for latents z (n × d) and targets x (n × P; for the ε-BCE of SPEC §3, pixels in [0, 1]),
/// ℓᵢ = ℓ(D_θ(zᵢ), xᵢ) with the reconstruction loss `loss`, and the batch loss L = Σᵢ ℓᵢ.
///
/// Holds the decoder and its workspace; every method is one pass and allocates nothing once the workspace
/// is warm and the caller's output arrays are uniquely referenced and large enough (`loss` grows to n
/// elements if shorter, matrices have their rows set to n). Row i of every per-row result depends only on
/// row i of z and x. GFESolvers declares the conformance to `LatentObjective`.
public struct DecoderObjective<T: Scalar>: Sendable {
    /// The decoder D_θ (its parameters may be updated between calls, e.g. by an optimiser).
    public var decoder: MLP<T>
    /// What the decoder's outputs mean: logits under SPEC §3's ε-BCE (the paper), or values under MSE.
    public let loss: ReconstructionLoss
    var workspace: MLPWorkspace<T>

    /// d, the latent dimension (the decoder's input size).
    public var latentDim: Int { decoder.architecture.inputSize }
    /// P, the pixels per image (the decoder's output size).
    public var pixelCount: Int { decoder.architecture.outputSize }
    /// Rows the workspace holds without growing.
    public var maxBatch: Int { workspace.maxBatch }
    /// Base address of the workspace buffer (tests check it stays put once warm).
    public var workspaceAddress: UnsafeRawPointer? { workspace.storageAddress }

    public init(decoder: MLP<T>, maxBatch: Int, loss: ReconstructionLoss = .crossEntropyOnLogits) {
        self.decoder = decoder
        self.loss = loss
        self.workspace = MLPWorkspace(architecture: decoder.architecture, maxBatch: maxBatch)
    }

    // MARK: First order

    /// Rows per pass of the first-order, per-row methods (`lossAndGradient`, `loss`): a taller batch (many
    /// AMD groups solved together) goes through the decoder this many rows at a time, so its activations
    /// stay in the core's L2 cache instead of streaming through memory on every elementwise pass (1,024
    /// rows ran ~15 % slower per row than 16). The numbers are the same as in one pass: row i's result
    /// depends only on row i (the kernel's row contract; elementwise and per-row loss kernels).
    public static var rowBlock: Int { 64 }

    /// ℓᵢ into `loss[0..<n]` and ∇_z L into `gradient` (row i = ∇_{zᵢ} ℓᵢ): exactly one forward and one
    /// backward pass, the backward computing the input gradient only (the encoders' hot path).
    public mutating func lossAndGradient(z: Matrix<T>, x: Matrix<T>, loss: inout [T], gradient: inout Matrix<T>) {
        let decoder = self.decoder
        decoder.prepareInputGradient(&gradient, rows: z.rows)
        let d = z.cols
        gradient.storage.withUnsafeMutableBufferPointer { g in
            Self.pass(
                decoder, self.loss, &workspace, z: z, x: x, loss: &loss, lossGradient: true, direction: nil,
                rowBlock: Self.rowBlock
            ) { p, w, layout, _, rows in
                decoder.backwardPass(
                    rows: rows.count, parameters: p, workspace: w, layout: layout,
                    inputGradient: g.baseAddress.map { $0 + rows.lowerBound * d },
                    parameterGradient: nil, scale: 1, accumulate: false)
            }
        }
    }

    /// ℓᵢ only (one forward pass), e.g. for evaluation.
    public mutating func loss(z: Matrix<T>, x: Matrix<T>, loss: inout [T]) {
        Self.pass(
            decoder, self.loss, &workspace, z: z, x: x, loss: &loss, lossGradient: false, direction: nil,
            rowBlock: Self.rowBlock
        ) { _, _, _, _, _ in }
    }

    /// The "approximate" decoder gradient of SPEC §5 (z held constant): ℓᵢ into `loss`, and
    /// parameterGradient ← (accumulate ? parameterGradient : 0) + scale·∂_θ L. Returns L = Σᵢ ℓᵢ.
    @discardableResult
    public mutating func lossAndParameterGradient(
        z: Matrix<T>, x: Matrix<T>, loss: inout [T], parameterGradient: inout [T],
        scale: T = 1, accumulate: Bool = false
    ) -> T {
        let decoder = self.decoder
        decoder.checkParameterGradient(parameterGradient)
        parameterGradient.withUnsafeMutableBufferPointer { pg in
            Self.pass(decoder, self.loss, &workspace, z: z, x: x, loss: &loss, lossGradient: true, direction: nil) {
                p, w, layout, _, _ in
                decoder.backwardPass(
                    rows: z.rows, parameters: p, workspace: w, layout: layout, inputGradient: nil,
                    parameterGradient: pg.baseAddress, scale: scale, accumulate: accumulate)
            }
        }
        return Self.sum(loss, z.rows)
    }

    /// Both gradients from one forward and one backward pass: ∇_z L into `gradient` and
    /// (accumulate ? parameterGradient : 0) + scale·∂_θ L into `parameterGradient`. Returns L = Σᵢ ℓᵢ.
    @discardableResult
    public mutating func lossAndGradients(
        z: Matrix<T>, x: Matrix<T>, loss: inout [T], gradient: inout Matrix<T>, parameterGradient: inout [T],
        scale: T = 1, accumulate: Bool = false
    ) -> T {
        let decoder = self.decoder
        decoder.prepareInputGradient(&gradient, rows: z.rows)
        decoder.checkParameterGradient(parameterGradient)
        gradient.storage.withUnsafeMutableBufferPointer { g in
            parameterGradient.withUnsafeMutableBufferPointer { pg in
                Self.pass(decoder, self.loss, &workspace, z: z, x: x, loss: &loss, lossGradient: true, direction: nil) {
                    p, w, layout, _, _ in
                    decoder.backwardPass(
                        rows: z.rows, parameters: p, workspace: w, layout: layout,
                        inputGradient: g.baseAddress, parameterGradient: pg.baseAddress,
                        scale: scale, accumulate: accumulate)
                }
            }
        }
        return Self.sum(loss, z.rows)
    }

    // MARK: Second order (one forward-over-reverse pass; equations in MLPPasses.swift)

    /// Exact Hessian-vector products in direction V = `direction` (n × d): row i of `hessianProduct` is
    /// Hᵢ vᵢ with Hᵢ = ∇²_{zᵢ} ℓᵢ; also ℓᵢ into `loss` and ∇_z L into `gradient`, from the same pass.
    public mutating func hessianProduct(
        z: Matrix<T>, x: Matrix<T>, direction: Matrix<T>, loss: inout [T], gradient: inout Matrix<T>,
        hessianProduct: inout Matrix<T>
    ) {
        let decoder = self.decoder
        decoder.prepareInputGradient(&gradient, rows: z.rows)
        decoder.prepareInputGradient(&hessianProduct, rows: z.rows)
        gradient.storage.withUnsafeMutableBufferPointer { g in
            hessianProduct.storage.withUnsafeMutableBufferPointer { hv in
                Self.pass(
                    decoder, self.loss, &workspace, z: z, x: x, loss: &loss, lossGradient: true, direction: direction
                ) {
                    p, w, layout, xp, _ in
                    decoder.secondOrderPass(
                        rows: z.rows, parameters: p, workspace: w, layout: layout, targets: xp, loss: self.loss,
                        inputGradient: g.baseAddress, hessianProduct: hv.baseAddress ?? w,
                        mixedParameterGradient: nil, scale: 1, accumulate: false)
                }
            }
        }
    }

    /// Everything `hessianProduct` gives, plus the mixed product for the adjoint and implicit decoder
    /// gradients (SPEC §5): mixedParameterGradient ← (accumulate ? it : 0) + scale·∂_θ(Σᵢ vᵢ·∇_{zᵢ} L),
    /// with V held constant. One forward-over-reverse pass.
    public mutating func secondOrderProducts(
        z: Matrix<T>, x: Matrix<T>, direction: Matrix<T>, loss: inout [T], gradient: inout Matrix<T>,
        hessianProduct: inout Matrix<T>, mixedParameterGradient: inout [T], scale: T = 1, accumulate: Bool = false
    ) {
        let decoder = self.decoder
        decoder.prepareInputGradient(&gradient, rows: z.rows)
        decoder.prepareInputGradient(&hessianProduct, rows: z.rows)
        decoder.checkParameterGradient(mixedParameterGradient)
        gradient.storage.withUnsafeMutableBufferPointer { g in
            hessianProduct.storage.withUnsafeMutableBufferPointer { hv in
                mixedParameterGradient.withUnsafeMutableBufferPointer { mg in
                    Self.pass(
                        decoder, self.loss, &workspace, z: z, x: x, loss: &loss, lossGradient: true,
                        direction: direction
                    ) {
                        p, w, layout, xp, _ in
                        decoder.secondOrderPass(
                            rows: z.rows, parameters: p, workspace: w, layout: layout, targets: xp,
                            loss: self.loss, inputGradient: g.baseAddress, hessianProduct: hv.baseAddress ?? w,
                            mixedParameterGradient: mg.baseAddress, scale: scale, accumulate: accumulate)
                    }
                }
            }
        }
    }

    // MARK: Plumbing

    /// Forward pass of z, the loss kernel (∂L/∂Y into the workspace when `lossGradient`), the direction
    /// copied into the tangent slot when given, then `body(parameters, workspace, layout, targets, rows)`:
    /// once for all rows, or once per block of `rowBlock` rows (the workspace is then used one block at a time).
    private static func pass(
        _ decoder: MLP<T>, _ reconstructionLoss: ReconstructionLoss, _ workspace: inout MLPWorkspace<T>, z: Matrix<T>,
        x: Matrix<T>, loss: inout [T],
        lossGradient: Bool, direction: Matrix<T>?, rowBlock: Int = .max,
        body: (UnsafePointer<T>, UnsafeMutablePointer<T>, MLPWorkspaceLayout, UnsafePointer<T>, Range<Int>) -> Void
    ) {
        decoder.checkInput(z, workspace)
        precondition(
            x.rows == z.rows && x.cols == decoder.architecture.outputSize,
            "DecoderObjective: targets are \(x.rows)x\(x.cols), expected \(z.rows)x\(decoder.architecture.outputSize)")
        if let direction {
            precondition(
                direction.rows == z.rows && direction.cols == z.cols,
                "DecoderObjective: direction is \(direction.rows)x\(direction.cols), expected \(z.rows)x\(z.cols)")
        }
        let n = z.rows
        if loss.count < n { loss.setCount(n) }
        let block = max(1, min(n, rowBlock))
        workspace.prepare(rows: block, secondOrder: direction != nil)
        let layout = workspace.layout
        let (d, pixels, layers) = (decoder.architecture.inputSize, decoder.architecture.outputSize, layout.layerCount)
        decoder.parameters.withUnsafeBufferPointer { p in
            z.storage.withUnsafeBufferPointer { zp in
                x.storage.withUnsafeBufferPointer { xp in
                    loss.withUnsafeMutableBufferPointer { lp in
                        workspace.buffer.withUnsafeMutableBufferPointer { ws in
                            let w = ws.baseAddress!
                            guard n > 0, let zBase = zp.baseAddress, let xBase = xp.baseAddress else {
                                // Empty batch: nothing to evaluate; body still zeroes a requested θ-gradient.
                                body(p.baseAddress!, w, layout, UnsafePointer(w), 0..<0)
                                return
                            }
                            for start in stride(from: 0, to: n, by: block) {
                                let rows = start..<min(start + block, n)
                                (w + layout.activation[0]).update(from: zBase + start * d, count: rows.count * d)
                                decoder.forwardPass(
                                    rows: rows.count, parameters: p.baseAddress!, workspace: w, layout: layout)
                                reconstructionLoss.evaluate(
                                    outputs: w + layout.activation[layers], targets: xBase + start * pixels,
                                    rows: rows.count, cols: pixels, losses: lp.baseAddress! + start,
                                    gradient: lossGradient ? w + layout.delta[layers] : nil)
                                if let direction {
                                    direction.storage.withUnsafeBufferPointer { v in
                                        (w + layout.tangent[0]).update(
                                            from: v.baseAddress! + start * d, count: rows.count * d)
                                    }
                                }
                                body(p.baseAddress!, w, layout, xBase + start * pixels, rows)
                            }
                        }
                    }
                }
            }
        }
        workspace.batch = min(n, block)
    }

    /// Σ of the first n losses, in index order.
    static func sum(_ loss: [T], _ n: Int) -> T {
        var s: T = 0
        for i in 0..<n { s += loss[i] }
        return s
    }
}
