import Foundation
import GFECore
import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

/// Shows a sweep's progress. On a terminal: log lines scroll above a live block (a header with counts,
/// elapsed time and ETA, then one line per worker) that is redrawn in place. Otherwise: the log lines,
/// plus the block as plain lines every `plainInterval` seconds.
public final class ProgressDisplay: @unchecked Sendable {
    private let fd: Int32
    public let isTerminal: Bool
    private let plainInterval: Double
    private var blockHeight = 0
    private var shown: [String] = []
    private var lastPlain: ContinuousClock.Instant?
    private let lock = NSLock()

    /// `fd`: where to draw (1 = stdout). `isTerminal` nil: ask isatty.
    public init(fd: Int32 = 1, isTerminal: Bool? = nil, plainInterval: Double = 30) {
        self.fd = fd
        self.isTerminal = isTerminal ?? (isatty(fd) == 1)
        self.plainInterval = plainInterval
    }

    /// A permanent line (run started, finished, failed).
    public func log(_ line: String) {
        lock.lock()
        defer { lock.unlock() }
        if isTerminal {
            write(clearBlock() + line + "\n")
            blockHeight = 0
        } else {
            write(line + "\n")
        }
    }

    /// Replaces the live block (terminal), or prints it when `plainInterval` has passed (otherwise).
    public func update(_ lines: [String], force: Bool = false) {
        lock.lock()
        defer { lock.unlock() }
        if isTerminal {
            let width = terminalWidth()
            let fitted = lines.map { $0.count > width - 1 ? String($0.prefix(max(width - 2, 10))) + "…" : $0 }
            if fitted == shown && blockHeight == fitted.count && !force { return }  // nothing changed
            write(clearBlock() + fitted.map { $0 + "\n" }.joined())
            blockHeight = fitted.count
            shown = fitted
        } else {
            let now = ContinuousClock.now
            if force || lastPlain.map({ now - $0 >= .milliseconds(Int64(plainInterval * 1000)) }) ?? true {
                lastPlain = now
                write(lines.map { $0 + "\n" }.joined())
            }
        }
    }

    /// Removes the live block (before the final summary).
    public func finish() {
        lock.lock()
        defer { lock.unlock() }
        if isTerminal {
            write(clearBlock())
            blockHeight = 0
        }
    }

    private func clearBlock() -> String {
        blockHeight == 0 ? "" : "\u{1B}[\(blockHeight)A\r\u{1B}[J"
    }

    private func terminalWidth() -> Int {
        var size = winsize()
        if ioctl(fd, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 20 { return Int(size.ws_col) }
        return 120
    }

    private func write(_ text: String) {
        _ = try? FileDescriptor(rawValue: fd).writeAll(text.utf8)
    }
}

/// Human formats for durations and counts.
public enum Human {
    /// "42s", "3m05s", "2h07m".
    public static func duration(_ s: Double) -> String {
        guard s.isFinite, s >= 0 else { return "?" }
        let t = Int(s.rounded())
        if t < 60 { return "\(t)s" }
        if t < 3600 { return "\(t / 60)m" + pad2(t % 60) + "s" }
        return "\(t / 3600)h" + pad2((t % 3600) / 60) + "m"
    }

    private static func pad2(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
}
