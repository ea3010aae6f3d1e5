import Dispatch
import Foundation

/// Runs `body` over contiguous blocks of rows 0..<count on up to `threads` threads (the calling thread
/// takes the first block) and returns when all are done.
///
/// Callers keep results bitwise independent of the thread count by letting each row's computation depend
/// on that row alone and by reducing across rows afterwards, serially, in row order.
enum RowParallel {
    static func forEachBlock(count: Int, threads: Int, _ body: @escaping @Sendable (Range<Int>) -> Void) {
        let workers = max(1, min(threads, count / 32, 64))   // small problems are not worth a thread
        guard workers > 1 else { body(0..<count); return }
        let blocks = (0..<workers).map { w in (w * count / workers)..<((w + 1) * count / workers) }
        // Dedicated threads: on Linux, DispatchQueue.concurrentPerform may run every block on the caller.
        let finished = DispatchSemaphore(value: 0)
        for block in blocks.dropFirst() {
            let thread = Thread {
                body(block)
                finished.signal()
            }
            thread.start()
        }
        body(blocks[0])
        for _ in 1..<workers { finished.wait() }
    }
}

/// A raw pointer that threads may share because they write disjoint elements (see `RowParallel`).
struct SharedPointer<T>: @unchecked Sendable {
    let base: UnsafeMutablePointer<T>
    init(_ base: UnsafeMutablePointer<T>) { self.base = base }
}
