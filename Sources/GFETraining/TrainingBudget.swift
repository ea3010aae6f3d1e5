import GFECore
import GFESolvers

/// How long a run trains: exactly one of a number of epochs, of iterations, or of images seen
/// (SPEC §1: images seen = iterations × B while batches are full). Coded as `{"epochs": 1}`,
/// `{"iterations": 360}` or `{"imagesSeen": 5760}`.
public enum TrainingBudget: Codable, Sendable, Equatable {
    /// Whole passes over the train pool (⌈count / B⌉ iterations each, the last batch of an epoch partial).
    case epochs(Int)
    case iterations(Int)
    /// Train until at least this many images have been drawn (the last batch may overshoot when the
    /// count is not a multiple of B).
    case imagesSeen(Int)

    /// Each kind's field name, written once, its largest count and how to make the budget from a count. The
    /// bounds keep every count derived from a budget within Int; the number of iterations a run takes is
    /// bounded by `TrainingConfig.maxIterations` once the train pool is known.
    static let kinds: [(name: String, maximum: Int, make: @Sendable (Int) -> TrainingBudget)] = [
        ("epochs", 1_000_000, { .epochs($0) }), ("iterations", TrainingConfig.maxIterations, { .iterations($0) }),
        ("imagesSeen", 1_000_000_000_000_000, { .imagesSeen($0) })
    ]

    /// The names of the three kinds: a budget object holds exactly one.
    public static var kindNames: [String] { kinds.map(\.name) }

    /// The budget's field name and count.
    var field: (name: String, count: Int) {
        switch self {
        case .epochs(let v): return (Self.kinds[0].name, v)
        case .iterations(let v): return (Self.kinds[1].name, v)
        case .imagesSeen(let v): return (Self.kinds[2].name, v)
        }
    }

    /// The number of iterations this budget takes on a train pool of `poolCount` images with batches of
    /// `batchSize` (EpochSampler's batching: epochs never share a batch).
    public func iterations(poolCount: Int, batchSize: Int) -> Int {
        let perEpoch = (poolCount + batchSize - 1) / batchSize
        switch self {
        case .epochs(let e): return e * perEpoch
        case .iterations(let n): return n
        case .imagesSeen(let m):
            // Whole epochs first, then full batches of the next epoch, then possibly its partial last batch.
            let wholeEpochs = m / poolCount
            var remaining = m - wholeEpochs * poolCount
            var count = wholeEpochs * perEpoch
            if remaining > 0 {
                count += remaining / batchSize
                remaining -= (remaining / batchSize) * batchSize
                if remaining > 0 { count += 1 }
            }
            return count
        }
    }

    public init(from decoder: Decoder) throws {
        let names = Self.kinds.map(\.name)
        let r = try SettingsReader(trainingConfig: decoder, allowed: names)
        let present = Self.kinds.filter { r.has($0.name) }
        guard present.count == 1, let kind = present.first else {
            let place = r.path.isEmpty ? "the budget" : "'\(r.path)'"
            throw r.problem(
                "\(place) needs exactly one of \(SettingsReader.quoted(names))"
                    + (present.isEmpty ? "" : "; found " + present.map { "'\($0.name)'" }.joined(separator: " and ")))
        }
        guard let count = try r.int(kind.name) else {
            throw r.problem("field '\(r.qualified(kind.name))' must be an integer")
        }
        if let rule = SettingsRule<Int>.within(1...kind.maximum).violation(count) {
            throw r.outOfRange(kind.name, count, rule)
        }
        self = kind.make(count)
    }

    public func encode(to encoder: Encoder) throws {
        var w = SettingsWriter(encoder)
        try w.put(field.name, field.count)
    }
}
