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

    static let fields = ["epochs", "iterations", "imagesSeen"]

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
        let r = try SettingsReader(trainingConfig: decoder, allowed: Self.fields)
        let present = Self.fields.filter { r.has($0) }
        guard present.count == 1 else {
            let place = r.path.isEmpty ? "the budget" : "'\(r.path)'"
            throw r.problem(
                "\(place) needs exactly one of 'epochs', 'iterations', 'imagesSeen'"
                    + (present.isEmpty ? "" : "; found " + present.map { "'\($0)'" }.joined(separator: " and ")))
        }
        if let v = try r.int("epochs", atLeast: 1) {
            self = .epochs(v)
        } else if let v = try r.int("iterations", atLeast: 1) {
            self = .iterations(v)
        } else if let v = try r.int("imagesSeen", atLeast: 1) {
            self = .imagesSeen(v)
        } else {
            throw r.problem("field '\(r.qualified(present[0]))' must be an integer")
        }
    }

    public func encode(to encoder: Encoder) throws {
        var w = SettingsWriter(encoder)
        switch self {
        case .epochs(let v): try w.put("epochs", v)
        case .iterations(let v): try w.put("iterations", v)
        case .imagesSeen(let v): try w.put("imagesSeen", v)
        }
    }
}
