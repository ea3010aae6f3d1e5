import Dispatch

#if canImport(Glibc)
import Glibc
#endif

/// Turns signals into calls of a handler on a dispatch queue (instead of their default action), for as long
/// as the trap exists. Used for Ctrl-C (SIGINT) and SIGTERM during a sweep.
public final class SignalTrap: @unchecked Sendable {
    private var sources: [DispatchSourceSignal] = []
    private let signals: [Int32]

    public init(_ signals: [Int32], handler: @escaping @Sendable (Int32) -> Void) {
        self.signals = signals
        for s in signals {
            signal(s, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: s, queue: .global())
            source.setEventHandler { handler(s) }
            source.resume()
            sources.append(source)
        }
    }

    /// Restores the default actions.
    public func cancel() {
        for source in sources { source.cancel() }
        sources.removeAll()
        for s in signals { signal(s, SIG_DFL) }
    }

    /// Ignores SIGPIPE, so writing to a worker that has died is an error return, not the end of this process.
    public static func ignoreBrokenPipes() { signal(SIGPIPE, SIG_IGN) }
}
