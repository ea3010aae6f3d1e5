import GFECore

/// Bad or missing data: always exit code 2 (bad input). The message names the file (or the name given), says
/// what was expected and what was found, and how to get good data.
public struct DataError: ReportableError, Equatable {
    public enum Kind: String, Sendable, Equatable {
        case missingFile, unreadableFile, corruptGzip, truncated, trailingData, badMagic, badDimensions
        case wrongCount, badLabel, checksumMismatch, unknownDataset, unknownSplit, badArgument, verificationFailed
        /// A user's data file: no such array inside, an unusable shape or element type, bad values.
        case missingArray, badShape, badValues
        /// A well-formed file using what the readers do not handle (a NumPy dtype, format version, zip method, size).
        case unsupportedFormat
        /// A `.npy` header that is not the expected Python dict.
        case badHeader
        /// A damaged `.npz` zip structure or deflate stream.
        case corruptArchive
    }

    public let kind: Kind
    public let message: String
    public var exitCode: Int32 { 2 }

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }
}
