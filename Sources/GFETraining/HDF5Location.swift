import GFECore
import GFEStore

/// A dataset inside an HDF5 file, written `FILE.h5:/path/in/file` on the command line.
public struct HDF5Location: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var dataset: String

    public init(file: String, dataset: String) {
        self.file = file
        self.dataset = dataset
    }

    /// Parses `FILE:/dataset` at the last colon. `option` names the command-line option for messages.
    public init(parsing text: String, option: String) throws {
        guard let colon = text.lastIndex(of: ":"), colon != text.startIndex,
            text.index(after: colon) != text.endIndex
        else {
            throw GFEError.badInput("\(option) '\(text)' must be FILE.h5:/path/to/dataset (e.g. fixture.h5:/batch/x)")
        }
        file = String(text[..<colon])
        dataset = String(text[text.index(after: colon)...])
    }

    public var description: String { "\(file):\(dataset)" }

    /// Reads a two-dimensional Float32 (or convertible) dataset with `cols` columns, every value finite and,
    /// when `unitInterval`, in [0, 1]. `what` describes it in messages ("images").
    public func readMatrix(cols: Int, unitInterval: Bool, what: String) throws -> Matrix<Float> {
        let m = try HDF5File.read(file) { f -> Matrix<Float> in
            guard f.contains(dataset) else {
                throw GFEError.badInput(
                    "\(what) \(self): no dataset '\(dataset)' in \(file) (list it with `gfe inspect \(file)`)")
            }
            return try f.readMatrix(dataset, as: Float.self, converting: true)
        }
        guard m.cols == cols, m.rows >= 1 else {
            throw GFEError.badInput(
                "\(what) \(self) has shape [\(m.rows), \(m.cols)]; expected [N, \(cols)] with N ≥ 1")
        }
        if let bad = m.storage.firstIndex(where: { !$0.isFinite || (unitInterval && !($0 >= 0 && $0 <= 1)) }) {
            throw GFEError.badInput(
                "\(what) \(self): element [\(bad / cols), \(bad % cols)] is \(m.storage[bad]); "
                    + (unitInterval ? "pixels must be finite values in [0, 1]" : "values must be finite"))
        }
        return m
    }
}
