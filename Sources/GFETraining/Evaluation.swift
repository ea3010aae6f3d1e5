import GFECore
import GFESolvers

/// Where the encoders of an evaluation start.
public enum EvaluationStart: Sendable, Equatable {
    /// The encoder's own rule (SPEC §7: "same preset and z₀ rule"): for `uniform`, z₀ for all N images is
    /// drawn row-major from `RNG(seed: seed, stream: "eval-z0")` before any solve, so batch i gets rows
    /// iB..<(i+1)B of one draw however the work is chunked or threaded; `zeros` ignores the seed.
    case rule(seed: UInt64)
    /// Explicit starting points, N × d (AMD and one-step only).
    case given(Matrix<Float>)
}

/// How an evaluation uses the machine. None of these changes a number (tests check it).
public struct EvaluationResources: Sendable, Equatable {
    /// Worker threads (each with its own decoder workspace and encoder; BLAS single-threaded in each).
    public var threads: Int
    /// The most batches solved together as one tall matrix per objective call (bounds memory: 64 groups
    /// of 16 images take ≈ 15 MB of workspace per thread); fewer when that leaves under ~4 chunks per thread.
    public var chunkGroups: Int

    public init(threads: Int = 2, chunkGroups: Int = 64) {
        self.threads = max(1, threads)
        self.chunkGroups = max(1, chunkGroups)
    }
}

/// What an evaluation returns.
public struct EvaluationResult: Sendable {
    public var kind: EvaluationKind?
    /// Images evaluated.
    public var count: Int { sampleLoss.count }
    /// The mean of ℓ over the images (the reported "cross entropy"), summed in Double in image order.
    public var meanLoss: Double
    /// ℓᵢ per image, in input order (Float values widened exactly).
    public var sampleLoss: [Double]
    /// z* (N × d) for encoder evaluations; for the AE the encoder's codes E(x).
    public var z: Matrix<Float>
    /// Aggregated statistics of the solves (groups in input order); nil for the AE.
    public var statistics: SolveStatistics?
    /// Wall-clock seconds the evaluation took.
    public var wallSeconds: Double
    /// CPU seconds of the process (every thread) while it ran: the cost to compare methods by.
    public var cpuSeconds: Double
    /// Decoder passes per image, forward and backward (a solver's objective evaluation is one of each, the
    /// AE's D(E(x)) one forward): the cost in passes, whatever the machine.
    public var forwardPasses: Double
    public var backwardPasses: Double

    static func meanInOrder(_ values: [Double]) -> Double {
        values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count)
    }
}

/// The test-set evaluations of SPEC §7.
public enum Evaluator {
    /// Encodes `images` (N × P, in order) in batches of `batchSize` with `encoder` through `decoder`, and
    /// returns ℓ at z* per image and its mean: the GFE test loss, and "AE decoder, AMD-encoded" when given
    /// an AE's decoder.
    ///
    /// Batch i is images iB..<min((i+1)B, N) (the last one partial), solved as its own group (AMD: its own
    /// t, dt and stop). Batches are solved `resources.chunkGroups` at a time in one tall matrix, chunks
    /// shared between `resources.threads` threads. Sets BLAS to one thread. The decoder's rows are
    /// position-independent (`RowGemm`), so every image's result is bitwise the same as solving its batch
    /// alone, whatever the chunking and threads. `progress` hears the images done so far, on the calling
    /// thread, as chunks complete.
    public static func encode(
        decoder: MLP<Float>, loss: ReconstructionLoss = .crossEntropyOnLogits, images: Matrix<Float>, batchSize: Int,
        encoder: EncoderSettings,
        start: EvaluationStart, resources: EvaluationResources = EvaluationResources(), kind: EvaluationKind? = nil,
        progress: ((Int) -> Void)? = nil
    ) throws -> EvaluationResult {
        let clock = ContinuousClock.now
        let cpu = processCPUSeconds()
        guard batchSize >= 1 else {
            throw GFEError.badInput("evaluation: batch size must be at least 1, got \(batchSize)")
        }
        let d = decoder.architecture.inputSize
        guard images.cols == decoder.architecture.outputSize else {
            throw GFEError.badInput(
                "evaluation: images have \(images.cols) pixels, the decoder outputs "
                    + "\(decoder.architecture.outputSize)")
        }
        try encoder.validate()
        let n = images.rows
        let z0 = try startingPoints(start, encoder: encoder, rows: n, dim: d)

        BLAS.setThreads(1)
        // At most `chunkGroups` batches per chunk, and at least ~4 chunks per thread so that threads share
        // uneven solves well (numbers do not depend on the chunking).
        let groupCount = (n + batchSize - 1) / batchSize
        let balanced = max(1, (groupCount + 4 * resources.threads - 1) / (4 * resources.threads))
        let groupsPerChunk = min(resources.chunkGroups, balanced)
        let rowsPerChunk = groupsPerChunk * batchSize
        let chunkCount = (n + rowsPerChunk - 1) / rowsPerChunk
        let parts = try ParallelChunks.map(
            count: chunkCount, threads: resources.threads,
            makeState: { () throws -> EvaluationWorker in
                try EvaluationWorker(
                    decoder: decoder, loss: loss, settings: encoder, maxRows: min(rowsPerChunk, max(n, 1)))
            },
            body: { (worker: inout EvaluationWorker, chunk: Int) throws -> Encoding<Float> in
                let rows = (chunk * rowsPerChunk)..<min((chunk + 1) * rowsPerChunk, n)
                return try worker.encode(images: images, rows: rows, z0: z0, batchSize: batchSize)
            }, progress: progress.map { report in { chunks in report(min(chunks * rowsPerChunk, n)) } })

        var z = Matrix<Float>(rows: n, cols: d)
        var row = 0
        for part in parts {
            z.storage.replaceSubrange((row * d)..<((row + part.z.rows) * d), with: part.z.storage)
            row += part.z.rows
        }
        let statistics = SolveStatistics.concatenating(parts.map(\.statistics))
        let passes = n > 0 ? Double(statistics.evaluatedRows) / Double(n) : 0
        return EvaluationResult(
            kind: kind, meanLoss: EvaluationResult.meanInOrder(statistics.sampleLoss),
            sampleLoss: statistics.sampleLoss, z: z, statistics: statistics,
            wallSeconds: secondsSince(clock), cpuSeconds: processCPUSeconds() - cpu, forwardPasses: passes,
            backwardPasses: passes)
    }

    /// Rows per chunk of the AE evaluation: a fixed constant (not a resource), so the numbers never depend
    /// on the thread count.
    public static let autoencoderChunkRows = 256

    /// ℓ(AE(x), x) per image and its mean (SPEC §7, AE), in fixed chunks of `autoencoderChunkRows` rows
    /// shared between `resources.threads` threads. `z` holds the codes E(x). `progress` as in `encode`.
    public static func autoencoder(
        encoder: MLP<Float>, decoder: MLP<Float>, loss: ReconstructionLoss = .crossEntropyOnLogits,
        images: Matrix<Float>, resources: EvaluationResources = EvaluationResources(), progress: ((Int) -> Void)? = nil
    ) throws -> EvaluationResult {
        let clock = ContinuousClock.now
        let cpu = processCPUSeconds()
        guard images.cols == encoder.architecture.inputSize else {
            throw GFEError.badInput(
                "evaluation: images have \(images.cols) pixels, the encoder takes "
                    + "\(encoder.architecture.inputSize)")
        }
        BLAS.setThreads(1)
        let n = images.rows
        let chunkRows = autoencoderChunkRows
        let latent = encoder.architecture.outputSize
        let parts = try ParallelChunks.map(
            count: (n + chunkRows - 1) / chunkRows, threads: resources.threads,
            makeState: { () throws -> AutoencoderObjective<Float> in
                try AutoencoderObjective(
                    encoder: encoder, decoder: decoder, maxBatch: min(chunkRows, max(n, 1)), loss: loss)
            },
            body: { (ae: inout AutoencoderObjective<Float>, chunk: Int) -> ([Float], Matrix<Float>) in
                let rows = (chunk * chunkRows)..<min((chunk + 1) * chunkRows, n)
                let x = Matrix<Float>(
                    rows: rows.count, cols: images.cols,
                    storage: Array(images.storage[(rows.lowerBound * images.cols)..<(rows.upperBound * images.cols)]))
                var loss = [Float](repeating: 0, count: rows.count)
                ae.loss(x: x, loss: &loss)
                return (loss, ae.encode(x))
            }, progress: progress.map { report in { chunks in report(min(chunks * chunkRows, n)) } })
        let losses = parts.flatMap { $0.0.map(Double.init) }
        let codes = Matrix<Float>(rows: n, cols: latent, storage: parts.flatMap { $0.1.storage })
        return EvaluationResult(
            kind: .ae, meanLoss: EvaluationResult.meanInOrder(losses), sampleLoss: losses,
            z: codes, statistics: nil, wallSeconds: secondsSince(clock), cpuSeconds: processCPUSeconds() - cpu,
            forwardPasses: 1, backwardPasses: 0)
    }

    /// z₀ for all rows, or nil when the encoder starts from its fixed point itself (the fixed grid).
    static func startingPoints(_ start: EvaluationStart, encoder: EncoderSettings, rows n: Int, dim d: Int) throws
        -> Matrix<Float>?
    {
        switch start {
        case .given(let z0):
            guard encoder.method != .fixedGrid else {
                throw GFEError.badInput("evaluation: the fixed-grid encoder always starts at z = 0; do not supply z0")
            }
            guard z0.rows == n, z0.cols == d else {
                throw GFEError.badInput("evaluation: z0 is \(z0.rows)×\(z0.cols), the images need \(n)×\(d)")
            }
            return z0
        case .rule(let seed):
            var rng = RNG(seed: seed, stream: "eval-z0")
            return encoder.initialPoint?.make(rows: n, dim: d, rng: &rng)
        }
    }
}

/// One thread's private objective and encoder for `Evaluator.encode`.
struct EvaluationWorker {
    var objective: DecoderObjective<Float>
    var encoder: LatentEncoder<DecoderObjective<Float>>
    private var x = Matrix<Float>(rows: 0, cols: 0)

    init(decoder: MLP<Float>, loss: ReconstructionLoss, settings: EncoderSettings, maxRows: Int) throws {
        objective = DecoderObjective(decoder: decoder, maxBatch: maxRows, loss: loss)
        encoder = try LatentEncoder(settings)
    }

    /// Encodes images[rows] in groups of `batchSize` (rows.lowerBound is a multiple of it).
    mutating func encode(images: Matrix<Float>, rows: Range<Int>, z0: Matrix<Float>?, batchSize: Int) throws
        -> Encoding<Float>
    {
        let p = images.cols
        x = Matrix(
            rows: rows.count, cols: p, storage: Array(images.storage[(rows.lowerBound * p)..<(rows.upperBound * p)]))
        let start = z0.map { z in
            Matrix<Float>(
                rows: rows.count, cols: z.cols,
                storage: Array(z.storage[(rows.lowerBound * z.cols)..<(rows.upperBound * z.cols)]))
        }
        var unused = RNG(seed: 0)  // z0 is always supplied (or the encoder starts at 0 by itself)
        return try encoder.encode(objective: &objective, x: x, layout: .groupSize(batchSize), z0: start, rng: &unused)
    }
}
