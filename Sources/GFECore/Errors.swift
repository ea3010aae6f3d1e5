/// An error a user can act on. The `gfe` command prints `message` on one line to stderr and exits with
/// `exitCode`: 2 for bad input (spec, data, arguments, files), 1 for a run failure (DESIGN.md).
public protocol ReportableError: Error, CustomStringConvertible {
    var message: String { get }
    var exitCode: Int32 { get }
}

extension ReportableError {
    public var description: String { message }
}

/// The generic reportable error, for places that need no richer type.
public struct GFEError: ReportableError, Equatable {
    public enum Kind: Sendable, Equatable { case badInput, runFailure }
    public let kind: Kind
    public let message: String
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }
    public static func badInput(_ message: String) -> GFEError { GFEError(.badInput, message) }
    public static func runFailure(_ message: String) -> GFEError { GFEError(.runFailure, message) }
    public var exitCode: Int32 { kind == .badInput ? 2 : 1 }
}
