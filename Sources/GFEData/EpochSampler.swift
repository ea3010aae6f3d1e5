import GFECore

/// Minibatches for training (SPEC §1): shuffled without replacement within an epoch, reshuffled every epoch,
/// the last partial batch used.
///
/// Each epoch's order is `rng.shuffle` (Fisher–Yates, see `RNG`) applied to the identity 0..<count, so it
/// equals `rng.permutation(count)`, with one generator `RNG(seed: seed, stream: "shuffle")` that continues
/// from epoch to epoch. The epoch is cut into batches of `batchSize` in that order; when `count` is not a
/// multiple of `batchSize` the epoch's last batch is smaller, and the next batch starts a new epoch (batches
/// never mix epochs). Batches hold split positions 0..<count (see `DataSplit.gather`).
///
/// `imagesSeen` counts the images actually drawn: `iteration × batchSize` while every batch is full, and a
/// partial last batch adds only its own size. SPEC's "images seen = iterations × B" is exact whenever the
/// training run stays within the first epoch's full batches (all the data-efficiency experiments).
public struct EpochSampler: Sendable {
    public let count: Int
    public let batchSize: Int
    /// Batches drawn so far.
    public private(set) var iteration = 0
    /// Images drawn so far (see above).
    public private(set) var imagesSeen = 0
    /// Epochs started so far (1 after the first batch).
    public private(set) var epochsStarted = 0

    private var rng: RNG
    private var order: [Int]
    private var cursor: Int

    /// A sampler over `count` items. Throws a `DataError` unless count ≥ 1 and batchSize ≥ 1.
    public init(count: Int, batchSize: Int, seed: UInt64) throws {
        guard count >= 1 else { throw DataError(.badArgument, "cannot draw batches from an empty split (0 images).") }
        guard batchSize >= 1 else { throw DataError(.badArgument, "batch size must be at least 1, got \(batchSize).") }
        self.count = count
        self.batchSize = batchSize
        rng = RNG(seed: seed, stream: "shuffle")
        order = Array(0..<count)
        cursor = count  // the first call starts an epoch
    }

    /// Batches per epoch: ⌈count / batchSize⌉.
    public var batchesPerEpoch: Int { (count + batchSize - 1) / batchSize }

    /// The next batch's positions (a new array).
    public mutating func nextBatch() -> [Int] {
        var batch: [Int] = []
        batch.reserveCapacity(batchSize)
        nextBatch(into: &batch)
        return batch
    }

    /// Replaces the contents of `batch` with the next batch's positions; does not allocate once `batch` has
    /// capacity for `batchSize` elements.
    public mutating func nextBatch(into batch: inout [Int]) {
        if cursor == count { startEpoch() }
        let end = min(cursor + batchSize, count)
        batch.removeAll(keepingCapacity: true)
        for i in cursor..<end { batch.append(order[i]) }
        cursor = end
        iteration += 1
        imagesSeen += batch.count
    }

    private mutating func startEpoch() {
        for i in 0..<count { order[i] = i }
        rng.shuffle(&order)
        cursor = 0
        epochsStarted += 1
    }
}

/// In-order batches for evaluation: positions 0..<count cut into consecutive ranges of `batchSize`, the last
/// one shorter when `count` is not a multiple (test-file order for the test split).
public struct InOrderBatches: Sequence, Sendable {
    public let count: Int
    public let batchSize: Int

    public init(count: Int, batchSize: Int) throws {
        guard count >= 0 else { throw DataError(.badArgument, "negative image count \(count).") }
        guard batchSize >= 1 else { throw DataError(.badArgument, "batch size must be at least 1, got \(batchSize).") }
        self.count = count
        self.batchSize = batchSize
    }

    public var batchCount: Int { (count + batchSize - 1) / batchSize }

    public func makeIterator() -> Iterator { Iterator(count: count, batchSize: batchSize) }

    public struct Iterator: IteratorProtocol {
        let count: Int, batchSize: Int
        var start = 0
        public mutating func next() -> Range<Int>? {
            guard start < count else { return nil }
            let end = Swift.min(start + batchSize, count)
            defer { start = end }
            return start..<end
        }
    }
}
