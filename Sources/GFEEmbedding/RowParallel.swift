import GFECore

/// Runs `body` over contiguous blocks of rows 0..<count on up to `threads` threads (ParallelChunks, one block
/// per thread) and returns when all are done.
///
/// Callers keep results bitwise independent of the thread count by letting each row's computation depend
/// on that row alone and by reducing across rows afterwards, serially, in row order.
enum RowParallel {
    static func forEachBlock(count: Int, threads: Int, _ body: @escaping @Sendable (Range<Int>) -> Void) {
        let workers = max(1, min(threads, count / 32, 64))  // small problems are not worth a thread
        guard workers > 1 else {
            body(0..<count)
            return
        }
        let blocks = (0..<workers).map { w in (w * count / workers)..<((w + 1) * count / workers) }
        // Nothing in the body throws.
        _ = try? ParallelChunks.map(count: workers, threads: workers, makeState: {}, body: { _, w in body(blocks[w]) })
    }
}

/// A raw pointer that threads may share because they write disjoint elements (see `RowParallel`).
struct SharedPointer<T>: @unchecked Sendable {
    let base: UnsafeMutablePointer<T>
    init(_ base: UnsafeMutablePointer<T>) { self.base = base }
}
