import GFECore

/// An error of the store: a file (HDF5 or CSV) that is missing, malformed, or does not hold what was
/// expected. The message names the file, the object inside it (HDF5 path, CSV column and row) when there is
/// one, what was expected and, where possible, how to fix it.
public struct StoreError: ReportableError, Equatable {
    /// The file the error is about, as given by the caller.
    public let file: String
    /// The object inside the file (e.g. "/decoder_init/decoder.0.weight", "column 'loss', row 3"), if any.
    public let object: String?
    /// What went wrong and what was expected.
    public let problem: String
    public let kind: GFEError.Kind

    public init(file: String, object: String? = nil, problem: String, kind: GFEError.Kind = .badInput) {
        self.file = file
        self.object = object
        self.problem = problem
        self.kind = kind
    }

    public var message: String {
        if let object { return "\(file): \(object): \(problem)" }
        return "\(file): \(problem)"
    }

    /// 2 for bad input (missing or malformed files, wrong contents), 1 for a failure while writing.
    public var exitCode: Int32 { kind == .badInput ? 2 : 1 }
}
