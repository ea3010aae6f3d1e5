import CHDF5
import GFECore

#if canImport(Glibc)
import Glibc
#endif

/// An open HDF5 file; it is also its root group, so datasets, groups and attributes are read and written
/// through the `HDF5Group` methods on it.
///
/// Writing is atomic: a created file, or one opened `.readWrite`, is worked on as a temporary copy in the
/// same folder, and only `close()` moves it over the target (after flushing it to disk). A file that is
/// released without `close()`, or closed with `discard()`, leaves the target exactly as it was. Reading is
/// direct. Use `HDF5File.write(to:)` to get the close-on-success / discard-on-error pattern in one call.
public final class HDF5File: HDF5Group, @unchecked Sendable {
    public enum Mode: Sendable { case readOnly, readWrite }

    private init(context: HDF5FileContext, fileID: hid_t) {
        super.init(context: context, id: fileID, path: "/", closesID: false, owner: nil)
    }

    deinit {
        // Released without close(): discard (never commit half-written work).
        discard()
    }

    /// Whether the file was opened for writing (created, or opened `.readWrite`).
    public var isWritable: Bool { context.isWritable }

    /// Opens an existing HDF5 file. `.readWrite` works on a temporary copy that `close()` commits.
    /// Throws (exit 2) when the file is missing, unreadable or not an HDF5 file.
    public static func open(_ path: String, mode: Mode = .readOnly) throws -> HDF5File {
        try requireReadableHDF5(path)
        switch mode {
        case .readOnly:
            return try openID(path: path, workingPath: path, writable: false)
        case .readWrite:
            try AtomicFile.requireFolder(of: path)
            let temporary = AtomicFile.temporaryPath(for: path)
            do {
                try AtomicFile.copyFile(path, to: temporary, reportingAs: path)
                return try openID(path: path, workingPath: temporary, writable: true)
            } catch {
                unlink(temporary)
                throw error
            }
        }
    }

    /// Creates a new, empty HDF5 file at `path` (written to a temporary file until `close()`).
    /// When `path` already exists this throws unless `truncating` is true, in which case `close()` replaces it.
    public static func create(_ path: String, truncating: Bool = false) throws -> HDF5File {
        try AtomicFile.requireFolder(of: path)
        if !truncating && access(path, F_OK) == 0 {
            throw StoreError(file: path, problem: "already exists; pass truncating: true to replace it")
        }
        let temporary = AtomicFile.temporaryPath(for: path)
        return try HDF5Library.locked {
            let fapl = fileAccessPlist()
            defer { H5Pclose(fapl) }
            let fileID = H5Fcreate(temporary, gfe_H5F_ACC_TRUNC(), gfe_H5P_DEFAULT(), fapl)
            guard fileID >= 0 else {
                let detail = HDF5Library.takeErrorDescription()
                unlink(temporary)
                throw StoreError(
                    file: path, problem: "could not create the HDF5 file (HDF5: \(detail))", kind: .runFailure)
            }
            return HDF5File(
                context: HDF5FileContext(displayPath: path, workingPath: temporary, isWritable: true),
                fileID: fileID)
        }
    }

    /// Creates `path`, runs `body` on it and commits it; if `body` throws, nothing is written and the
    /// previous file at `path` (if any) is untouched.
    public static func write<R>(to path: String, truncating: Bool = false, _ body: (HDF5File) throws -> R) throws -> R {
        let file = try create(path, truncating: truncating)
        do {
            let result = try body(file)
            try file.close()
            return result
        } catch {
            file.discard()
            throw error
        }
    }

    /// Opens `path` read-only, runs `body` on it and closes it.
    public static func read<R>(_ path: String, _ body: (HDF5File) throws -> R) throws -> R {
        let file = try open(path)
        defer { file.discard() }  // read-only: discarding is closing
        return try body(file)
    }

    /// Closes the file. A writable file is flushed, closed and atomically moved over its target; a read-only
    /// one is just closed. Closing twice is harmless. Every group of the file becomes unusable.
    public func close() throws {
        let wasOpen = HDF5Library.locked { () -> Bool in
            guard context.isOpen else { return false }
            context.isOpen = false
            return true
        }
        guard wasOpen else { return }
        let closed = HDF5Library.locked { () -> (ok: Bool, detail: String) in
            let ok = H5Fclose(id) >= 0
            return (ok, ok ? "" : HDF5Library.takeErrorDescription())
        }
        guard context.isWritable else { return }
        guard closed.ok else {
            unlink(context.workingPath)
            throw StoreError(
                file: context.displayPath,
                problem:
                    "could not finish writing the HDF5 file (HDF5: \(closed.detail)); the previous file, if any, is unchanged",
                kind: .runFailure)
        }
        do {
            try AtomicFile.commit(temporary: context.workingPath, to: context.displayPath)
        } catch {
            unlink(context.workingPath)
            throw error
        }
    }

    /// Closes the file without committing anything: a writable file's temporary copy is deleted and the
    /// target stays as it was. Harmless after `close()`.
    public func discard() {
        let wasOpen = HDF5Library.locked { () -> Bool in
            guard context.isOpen else { return false }
            context.isOpen = false
            _ = H5Fclose(id)
            return true
        }
        if wasOpen && context.isWritable { unlink(context.workingPath) }
    }

    // MARK: - Opening

    /// Checks that `path` exists, is readable and is an HDF5 file, with a message for each case.
    private static func requireReadableHDF5(_ path: String) throws {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw StoreError(file: path, problem: "no such file")
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw StoreError(file: path, problem: "not a regular file (expected an HDF5 file)")
        }
        guard access(path, R_OK) == 0 else {
            throw StoreError(file: path, problem: "not readable (permission denied)")
        }
        let isHDF5 = HDF5Library.locked { () -> Int32 in
            let answer = H5Fis_hdf5(path)
            if answer < 0 { _ = HDF5Library.takeErrorDescription() }
            return answer
        }
        guard isHDF5 > 0 else {
            throw StoreError(file: path, problem: "not an HDF5 file (no HDF5 signature found)")
        }
    }

    private static func openID(path: String, workingPath: String, writable: Bool) throws -> HDF5File {
        try HDF5Library.locked {
            let fapl = fileAccessPlist()
            defer { H5Pclose(fapl) }
            let flags = writable ? gfe_H5F_ACC_RDWR() : gfe_H5F_ACC_RDONLY()
            let fileID = H5Fopen(workingPath, flags, fapl)
            guard fileID >= 0 else {
                let detail = HDF5Library.takeErrorDescription()
                throw StoreError(file: path, problem: "could not open the HDF5 file (HDF5: \(detail))")
            }
            return HDF5File(
                context: HDF5FileContext(displayPath: path, workingPath: workingPath, isWritable: writable),
                fileID: fileID)
        }
    }

    /// File access: closing the file closes every object still open in it ("strong" close), so that
    /// `close()` really ends the file before it is moved into place.
    private static func fileAccessPlist() -> hid_t {
        let fapl = H5Pcreate(gfe_H5P_FILE_ACCESS())
        H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG)
        return fapl
    }
}
