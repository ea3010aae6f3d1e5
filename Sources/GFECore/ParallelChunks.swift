import Dispatch
import Foundation

/// The engine's one thread pool (evaluation, t-SNE): runs independent chunks of work on a few threads, each thread with its own private state (an objective
/// with its workspace, an encoder), and returns the results in chunk order.
///
/// Threads take the next unclaimed chunk when they finish one, so uneven chunks balance out; which thread
/// computed a chunk never shows in the results, provided each chunk's result depends only on its inputs
/// (true for the evaluators here: rows are position-independent, see `RowGemm`). BLAS must be single-
/// threaded (`BLAS.setThreads(1)`): OpenBLAS's pthreads build then runs each sgemm entirely in the calling
/// thread, and its buffer allocation is locked, so two threads may call it at once.
public enum ParallelChunks {
    /// Results of `body(&state, chunk)` for chunk = 0..<count, computed on up to `threads` threads, each
    /// with state from `makeState()`. The first error thrown (in chunk order) is rethrown after all
    /// threads stop; chunks not yet started are skipped once an error occurred. `progress`, when given, is
    /// called on the calling thread after each chunk that thread completes, with the number of chunks all
    /// threads have completed so far (so a progress display needs no locking of its own).
    public static func map<State, Result: Sendable>(
        count: Int, threads: Int,
        makeState: @escaping @Sendable () throws -> State,
        body: @escaping @Sendable (inout State, Int) throws -> Result,
        progress: ((Int) -> Void)? = nil
    ) throws -> [Result] {
        let board = Board<Result>(count: count)
        let workers = max(1, min(threads, count))
        let work: @Sendable (((Int) -> Void)?) -> Void = { afterChunk in
            do {
                var state = try makeState()
                while let chunk = board.claim() {
                    do {
                        board.store(try body(&state, chunk), at: chunk)
                    } catch {
                        board.fail(error, at: chunk)
                    }
                    afterChunk?(board.completed)
                }
            } catch {
                board.fail(error, at: -1)
            }
        }
        // Dedicated threads rather than DispatchQueue.concurrentPerform: on Linux, libdispatch may leave
        // the extra iterations waiting for a pool thread while the calling thread takes every chunk.
        let finished = DispatchSemaphore(value: 0)
        for w in 1..<workers {
            let thread = Thread {
                work(nil)
                finished.signal()
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
        work(progress)
        for _ in 1..<workers { finished.wait() }
        return try board.results()
    }

    /// The shared chunk counter, result slots and first error, behind one lock.
    private final class Board<Result>: @unchecked Sendable {
        private let lock = NSLock()
        private var next = 0
        private var finished = 0
        private let count: Int
        private var slots: [Result?]
        private var error: (chunk: Int, error: Error)?

        init(count: Int) {
            self.count = count
            slots = Array(repeating: nil, count: count)
        }

        func claim() -> Int? {
            lock.lock()
            defer { lock.unlock() }
            guard error == nil, next < count else { return nil }
            defer { next += 1 }
            return next
        }

        func store(_ r: Result, at chunk: Int) {
            lock.lock()
            defer { lock.unlock() }
            slots[chunk] = r
            finished += 1
        }

        /// Chunks stored so far.
        var completed: Int {
            lock.lock()
            defer { lock.unlock() }
            return finished
        }

        func fail(_ e: Error, at chunk: Int) {
            lock.lock()
            defer { lock.unlock() }
            if error == nil || chunk < error!.chunk { error = (chunk, e) }
        }

        func results() throws -> [Result] {
            lock.lock()
            defer { lock.unlock() }
            if let error { throw error.error }
            return slots.map { $0! }
        }
    }
}
