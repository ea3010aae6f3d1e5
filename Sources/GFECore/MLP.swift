/// A multilayer perceptron of SPEC §2: an `Architecture` and its flat parameter vector.
///
/// Layer l maps H_l (rows × sizes[l]) to A_{l+1} = H_l·W_lᵀ + b_l with W_l of shape [sizes[l+1], sizes[l]]
/// (row-major, PyTorch's `nn.Linear` layout) and b_l of length sizes[l+1]; H_{l+1} = ELU(A_{l+1}) between
/// layers and no activation after the last, so a decoder outputs logits. `parameters` is laid out as
/// `architecture.tensors` says: per layer, the weight then the bias.
///
/// Passes run in a caller-owned `MLPWorkspace` (see there). In Float every product runs on the engine's
/// kernel `RowGemm` — the weight products (H·Wᵀ forward, Δ·W for input gradients, and their second-order
/// counterparts) through packed weights, the parameter-gradient products Δᵀ·H through `Float.gemm` — so each
/// row of a pass's result depends only on that row's input, and every result is the same on every CPU.
public struct MLP<T: Scalar>: Equatable, Sendable {
    public let architecture: Architecture
    /// The flat parameter vector; its count must stay `architecture.parameterCount`. Every write (however it
    /// is made: assignment, subscript, inout, `withUnsafeMutableBufferPointer`) marks the row-stable kernel's
    /// packed weights out of date, so the next Float passes compute with the new values (`RowGemmWeights`).
    /// Writes happen in place: a `modify` accessor (underscored, as in the standard library and
    /// swift-collections), because a stored property with a `didSet` observer is mutated from other modules
    /// by get-copy-set, which would copy the whole vector on every write.
    public var parameters: [T] {
        get { storedParameters }
        set {
            storedParameters = newValue
            invalidatePackedWeights()
        }
        _modify {
            defer { invalidatePackedWeights() }
            yield &storedParameters
        }
    }
    private var storedParameters: [T]
    /// Per-layer offsets into `parameters`, cached because `Architecture.tensors` builds names.
    let weightOffsets: [Int]
    let biasOffsets: [Int]
    /// The Float products' packed weights (packed during the second pass after a change); nil for Double.
    private(set) var rowGemmWeights: RowGemmWeights?

    /// Called after every write to `parameters`. A cache no other copy of this network holds is marked out of
    /// date in place (no allocation, so element-by-element writes stay cheap, and the packs are later refilled
    /// in their own memory); a shared one is left to the copies, which still hold the old values, and this
    /// network gets a fresh one.
    private mutating func invalidatePackedWeights() {
        guard rowGemmWeights != nil else { return }
        if isKnownUniquelyReferenced(&rowGemmWeights) {
            rowGemmWeights?.markOutOfDate()
        } else {
            rowGemmWeights = RowGemmWeights.make(for: T.self, layers: architecture.layerCount)
        }
    }

    /// Two networks are equal when their architectures and parameters are (packs are derived data).
    public static func == (lhs: MLP, rhs: MLP) -> Bool {
        lhs.architecture == rhs.architecture && lhs.parameters == rhs.parameters
    }

    /// Wraps existing parameters (e.g. from a checkpoint).
    /// - Throws: `GFEError.badInput` when the count does not match the architecture.
    public init(architecture: Architecture, parameters: [T]) throws {
        guard parameters.count == architecture.parameterCount else {
            throw GFEError.badInput(
                "\(architecture.name): \(parameters.count) parameters given, the architecture \(architecture.sizes) "
                    + "needs \(architecture.parameterCount); check the checkpoint matches the network's layer sizes")
        }
        self.init(architecture: architecture, matchingParameters: parameters)
    }

    /// Wraps parameters whose count the caller has made match the architecture.
    private init(architecture: Architecture, matchingParameters parameters: [T]) {
        self.architecture = architecture
        self.storedParameters = parameters
        let tensors = architecture.tensors
        weightOffsets = stride(from: 0, to: tensors.count, by: 2).map { tensors[$0].offset }
        biasOffsets = stride(from: 1, to: tensors.count, by: 2).map { tensors[$0].offset }
        rowGemmWeights = RowGemmWeights.make(for: T.self, layers: architecture.layerCount)
    }

    /// PyTorch `nn.Linear` initialisation: every weight and bias element of layer l is drawn as
    /// `rng.uniform(-bound, bound)`, bound = 1/√fan_in with fan_in = sizes[l] (bound computed in Double,
    /// then converted to `T`), i.e. U(−1/√fan_in, 1/√fan_in). Draw order: layer by layer, the weight in
    /// row-major order ([out, in]) then the bias — the order of the flat parameter vector.
    public init(architecture: Architecture, rng: inout RNG) {
        var p = [T]()
        p.reserveCapacity(architecture.parameterCount)
        for l in 0..<architecture.layerCount {
            let (fanIn, fanOut) = (architecture.sizes[l], architecture.sizes[l + 1])
            let bound = T(1 / Double(fanIn).squareRoot())
            for _ in 0..<(fanOut * fanIn + fanOut) { p.append(rng.uniform(-bound, bound)) }
        }
        self.init(architecture: architecture, matchingParameters: p)
    }

    /// PyTorch-style initialisation (see `init(architecture:rng:)`) from `RNG(seed: seed, stream: stream)`.
    public init(architecture: Architecture, seed: UInt64, stream: String = "init") {
        var rng = RNG(seed: seed, stream: stream)
        self.init(architecture: architecture, rng: &rng)
    }

    public var parameterCount: Int { architecture.parameterCount }

    /// The same network in another precision (e.g. Float weights run in Double for tests).
    public func converted<U: Scalar>(to: U.Type = U.self) -> MLP<U> {
        MLP<U>(architecture: architecture, matchingParameters: parameters.map { U($0) })
    }

    // MARK: Forward

    /// Forward pass of `input` (rows × inputSize); the output and everything backward needs stay in
    /// `workspace` (read it with `workspace.output()` / `copyOutput(into:)`).
    public func forward(_ input: Matrix<T>, workspace: inout MLPWorkspace<T>) {
        checkInput(input, workspace)
        let n = input.rows
        workspace.prepare(rows: n, secondOrder: false)
        workspace.batch = n
        let layout = workspace.layout
        parameters.withUnsafeBufferPointer { p in
            input.storage.withUnsafeBufferPointer { x in
                workspace.buffer.withUnsafeMutableBufferPointer { ws in
                    guard n > 0 else { return }
                    let w = ws.baseAddress!
                    (w + layout.activation[0]).update(from: x.baseAddress!, count: n * architecture.inputSize)
                    forwardPass(rows: n, parameters: p.baseAddress!, workspace: w, layout: layout)
                }
            }
        }
    }

    /// Forward pass into a new matrix (allocates a workspace: for evaluation and tests, not hot loops).
    public func forward(_ input: Matrix<T>) -> Matrix<T> {
        var ws = MLPWorkspace<T>(architecture: architecture, maxBatch: max(input.rows, 1))
        forward(input, workspace: &ws)
        return ws.output()
    }

    // MARK: Backward

    /// Backpropagates dL/dY = `outputGradient` (batch × outputSize) through the forward pass held in
    /// `workspace` and writes dL/dX (batch × inputSize) into `inputGradient` (rows adjusted). The
    /// parameter gradient is not computed.
    public func backward(outputGradient: Matrix<T>, workspace: inout MLPWorkspace<T>, inputGradient: inout Matrix<T>) {
        let n = checkBackward(outputGradient, workspace)
        prepareInputGradient(&inputGradient, rows: n)
        inputGradient.storage.withUnsafeMutableBufferPointer { ig in
            seededBackward(
                outputGradient, &workspace, inputGradient: ig.baseAddress, parameterGradient: nil,
                scale: 1, accumulate: false)
        }
    }

    /// Backpropagates dL/dY and writes the parameter gradient:
    /// parameterGradient ← (accumulate ? parameterGradient : 0) + scale·∂L/∂θ (flat layout of `parameters`).
    public func backward(
        outputGradient: Matrix<T>, workspace: inout MLPWorkspace<T>,
        parameterGradient: inout [T], scale: T = 1, accumulate: Bool = false
    ) {
        _ = checkBackward(outputGradient, workspace)
        checkParameterGradient(parameterGradient)
        parameterGradient.withUnsafeMutableBufferPointer { pg in
            seededBackward(
                outputGradient, &workspace, inputGradient: nil, parameterGradient: pg.baseAddress,
                scale: scale, accumulate: accumulate)
        }
    }

    /// Both gradients of one backward pass (see the two single-gradient forms).
    public func backward(
        outputGradient: Matrix<T>, workspace: inout MLPWorkspace<T>, inputGradient: inout Matrix<T>,
        parameterGradient: inout [T], scale: T = 1, accumulate: Bool = false
    ) {
        let n = checkBackward(outputGradient, workspace)
        prepareInputGradient(&inputGradient, rows: n)
        checkParameterGradient(parameterGradient)
        inputGradient.storage.withUnsafeMutableBufferPointer { ig in
            parameterGradient.withUnsafeMutableBufferPointer { pg in
                seededBackward(
                    outputGradient, &workspace, inputGradient: ig.baseAddress,
                    parameterGradient: pg.baseAddress, scale: scale, accumulate: accumulate)
            }
        }
    }

    /// Copies dL/dY into the workspace's output-gradient slot and runs the backward pass.
    private func seededBackward(
        _ outputGradient: Matrix<T>, _ workspace: inout MLPWorkspace<T>,
        inputGradient: UnsafeMutablePointer<T>?, parameterGradient: UnsafeMutablePointer<T>?,
        scale: T, accumulate: Bool
    ) {
        let n = outputGradient.rows
        let layout = workspace.layout
        parameters.withUnsafeBufferPointer { p in
            outputGradient.storage.withUnsafeBufferPointer { dy in
                workspace.buffer.withUnsafeMutableBufferPointer { ws in
                    let w = ws.baseAddress!
                    if n > 0 {
                        (w + layout.delta[layout.layerCount]).update(
                            from: dy.baseAddress!, count: n * architecture.outputSize)
                    }
                    backwardPass(
                        rows: n, parameters: p.baseAddress!, workspace: w, layout: layout,
                        inputGradient: inputGradient, parameterGradient: parameterGradient,
                        scale: scale, accumulate: accumulate)
                }
            }
        }
    }

    // MARK: Checks (programmer errors: shapes are fixed by construction in the harness)

    func checkInput(_ input: Matrix<T>, _ workspace: MLPWorkspace<T>) {
        precondition(
            input.cols == architecture.inputSize,
            "\(architecture.name): input has \(input.cols) columns, expected \(architecture.inputSize)")
        precondition(
            workspace.architecture.sizes == architecture.sizes,
            "\(architecture.name): workspace is for sizes \(workspace.architecture.sizes), network has \(architecture.sizes)"
        )
        precondition(
            parameters.count == architecture.parameterCount,
            "\(architecture.name): \(parameters.count) parameters, expected \(architecture.parameterCount)")
    }

    private func checkBackward(_ outputGradient: Matrix<T>, _ workspace: MLPWorkspace<T>) -> Int {
        precondition(
            outputGradient.cols == architecture.outputSize,
            "\(architecture.name): output gradient has \(outputGradient.cols) columns, expected \(architecture.outputSize)"
        )
        precondition(
            outputGradient.rows == workspace.batch,
            "\(architecture.name): output gradient has \(outputGradient.rows) rows, last forward had \(workspace.batch)"
        )
        precondition(
            workspace.architecture.sizes == architecture.sizes,
            "\(architecture.name): workspace of another architecture")
        precondition(
            parameters.count == architecture.parameterCount,
            "\(architecture.name): \(parameters.count) parameters, expected \(architecture.parameterCount)")
        return outputGradient.rows
    }

    func prepareInputGradient(_ m: inout Matrix<T>, rows: Int) {
        precondition(
            m.cols == architecture.inputSize,
            "\(architecture.name): input gradient has \(m.cols) columns, expected \(architecture.inputSize)")
        if m.rows != rows { m.setRows(rows) }
    }

    func checkParameterGradient(_ g: [T]) {
        precondition(
            g.count == architecture.parameterCount,
            "\(architecture.name): parameter gradient has \(g.count) elements, expected \(architecture.parameterCount)")
    }
}
