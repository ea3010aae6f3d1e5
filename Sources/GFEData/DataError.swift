import GFECore

/// Bad or missing data: always exit code 2 (bad input). The message names the file (or the name given), says
/// what was expected and what was found, and how to get good data.
public struct DataError: ReportableError, Equatable {
    public enum Kind: String, Sendable, Equatable {
        case missingFile, unreadableFile, corruptGzip, truncated, trailingData, badMagic, badDimensions
        case wrongCount, badLabel, checksumMismatch, unknownDataset, unknownSplit, badArgument, verificationFailed
    }

    public let kind: Kind
    public let message: String
    public var exitCode: Int32 { 2 }

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }
}
