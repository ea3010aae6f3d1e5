import GFECore

/// How the n rows of a solve are split into independent groups (contiguous, in order, covering all rows).
///
/// A group is what AMD's `batch` step control shares one t, dt and history over: a training batch, or one
/// batch of a test set when many batches are solved together (SPEC §4.1, grouped solving).
public enum GroupLayout: Sendable, Equatable {
    /// All rows form one group.
    case oneGroup
    /// Consecutive groups of `size` rows; the last group holds the remainder (a partial last batch).
    case groupSize(Int)
    /// Explicit group sizes, in row order; they must sum to the number of rows.
    case sizes([Int])

    /// The row ranges for `rows` rows. Throws a `GFEError.badInput` naming the problem.
    public func ranges(rows: Int) throws(GFEError) -> [Range<Int>] {
        switch self {
        case .oneGroup:
            return rows == 0 ? [] : [0..<rows]
        case .groupSize(let size):
            guard size > 0 else {
                throw .badInput("group layout: group size must be at least 1, got \(size)")
            }
            return stride(from: 0, to: rows, by: size).map { $0..<min($0 + size, rows) }
        case .sizes(let sizes):
            if let bad = sizes.firstIndex(where: { $0 <= 0 }) {
                throw .badInput("group layout: group \(bad) has size \(sizes[bad]); every group needs at least 1 row")
            }
            let total = sizes.reduce(0, +)
            guard total == rows else {
                throw .badInput(
                    "group layout: group sizes sum to \(total) but the batch has \(rows) rows; "
                        + "give sizes that add up to the number of images")
            }
            var start = 0
            return sizes.map { size in
                defer { start += size }
                return start..<(start + size)
            }
        }
    }
}
