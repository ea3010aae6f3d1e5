import Foundation
import GFECore
import GFEStore

/// Reads one array of a user's data file, whatever its format, told apart by the file's first bytes (not its
/// name): HDF5, NumPy `.npy`, NumPy `.npz` (a zip of `.npy`), or IDX (plain or gzip).
public enum ArrayFile {
    public enum Format: String, Sendable {
        case hdf5, npy, npz, idx

        /// Whether the file holds named arrays (so a reference names one).
        public var holdsNamedArrays: Bool { self == .hdf5 || self == .npz }
    }

    /// The format of the file at `path`; missing, unreadable or unknown files are a `DataError`.
    public static func format(_ path: String) throws -> Format {
        guard try DataLocator.usableFile(path) else {
            let relative =
                path.hasPrefix("/") ? "" : " (relative to \(FileManager.default.currentDirectoryPath), where gfe runs)"
            throw DataError(.missingFile, "data file \(path) does not exist\(relative)")
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw DataError(.unreadableFile, "data file \(path) cannot be opened for reading")
        }
        defer { try? handle.close() }
        let head = [UInt8]((try? handle.read(upToCount: 8)) ?? Data())
        if head.starts(with: [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]) { return .hdf5 }
        if head.starts(with: [0x93] + Array("NUMPY".utf8)) { return .npy }
        if head.starts(with: [0x50, 0x4b, 0x03, 0x04]) { return .npz }
        // IDX: two zero bytes, then the type code; or gzip, which only IDX files may be here.
        if head.count >= 4 && head[0] == 0 && head[1] == 0 && [8, 9, 11, 12, 13, 14].contains(head[2]) { return .idx }
        if head.starts(with: [0x1f, 0x8b]) { return .idx }
        throw DataError(
            .unreadableFile,
            "data file \(path) is neither HDF5, NumPy (.npy, .npz) nor IDX (its first bytes are "
                + head.prefix(4).map { String(format: "%02x", $0) }.joined(separator: " ")
                + "); convert it to one of them (see docs/your-own-data.md)")
    }

    /// Reads `reference`: the named array of an HDF5 or `.npz` file, or the one array of the others.
    public static func read(_ reference: ArrayReference) throws -> NumericArray {
        let path = reference.path
        let format = try format(path)
        if let name = reference.array, !format.holdsNamedArrays {
            throw DataError(
                .badArgument,
                "data file \(path) is \(format == .npy ? "a .npy file" : "an IDX file"), which holds one array: "
                    + "remove the array name '\(name)'")
        }
        switch format {
        case .hdf5: return try readHDF5(path, dataset: reference.array)
        case .npy, .npz: return try NumPyFile.read(path, array: reference.array)
        case .idx: return try IDXArray.read(path)
        }
    }

    /// The dataset `name` of an HDF5 file (required unless the file holds exactly one dataset).
    static func readHDF5(_ path: String, dataset name: String?) throws -> NumericArray {
        do {
            return try HDF5File.read(path) { file in
                let datasets = try file.walk().filter { $0.kind == .dataset }.map(\.path)
                guard let name = name ?? (datasets.count == 1 ? datasets[0] : nil) else {
                    throw DataError(
                        .missingArray,
                        "data file \(path) holds \(datasets.count) datasets (\(list(datasets))): name the one to "
                            + "read")
                }
                guard file.contains(name), try file.kind(of: name) == .dataset else {
                    throw DataError(
                        .missingArray,
                        "data file \(path) has no dataset '\(name)'\(didYouMean(name, among: datasets)); it holds "
                            + "\(list(datasets)) (gfe inspect \(path) lists them)")
                }
                let info = try file.datasetInfo(name)
                guard let type = NumericArray.ElementType(rawValue: info.elementType.description) else {
                    throw DataError(
                        .badValues,
                        "data file \(path), dataset '\(name)': holds \(info.elementType) values; data must be "
                            + "numbers (float32, float64 or integers)")
                }
                let array = try file.readDoubles(name, converting: true)
                return NumericArray(shape: array.shape, elementType: type, values: array.values)
            }
        } catch let e as DataError {
            throw e
        } catch let e as ReportableError {
            throw DataError(.unreadableFile, "data file \(path): \(e.message)")
        }
    }

    private static func list(_ names: [String]) -> String {
        names.isEmpty ? "none" : names.prefix(8).joined(separator: ", ") + (names.count > 8 ? ", …" : "")
    }
}
