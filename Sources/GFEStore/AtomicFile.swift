import Foundation
import GFECore
import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

/// Atomic replacement of a file: the new contents go to a temporary file in the same folder, which is
/// flushed to disk (fsync) and then renamed over the target. Readers see either the old file or the complete
/// new one, never a mixture; a writer that fails or throws leaves the old file as it was (the temporary is
/// removed).
public enum AtomicFile {
    /// Creates `path` and the folders above it that are missing (mkdir -p). A failure names the component
    /// that could not be made and why ("results is a file, not a folder", "No space left on device") instead
    /// of Foundation's "NSCocoaErrorDomain error 512". `what` starts the message ("the results folder").
    public static func createFolder(
        _ path: String, what: String, failure: (String) -> GFEError = GFEError.badInput
    ) throws {
        var built = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/", omittingEmptySubsequences: true) {
            built += "/" + component
            if mkdir(built, 0o777) == 0 { continue }
            let code = errno
            var status = stat()
            if stat(built, &status) == 0 {
                if (status.st_mode & S_IFMT) == S_IFDIR { continue }
                throw failure("cannot create \(what) \(path): \(built) is a file, not a folder")
            }
            throw failure("cannot create \(what) \(path): \(built): \(String(cString: strerror(code)))")
        }
    }

    /// Checks an output path given on the command line before anything is computed: refuses an empty path,
    /// a folder, anything but a regular file (a device, a pipe or a symbolic link would be replaced by the
    /// rename: `--out /dev/null` as root would take /dev/null away), one of the command's inputs (after
    /// symbolic links and `..`: `gfe encode --checkpoint C.h5 --out C.h5` would lose the checkpoint), and a
    /// file of a stored run (a folder holding run.json). Exit 2 naming the option.
    public static func checkOutput(
        _ output: String, inputs: [(option: String, path: String)], outputOption: String
    ) throws {
        guard !output.isEmpty else {
            throw GFEError.badInput("\(outputOption) is empty; give the path of a file to write")
        }
        var info = stat()
        if lstat(output, &info) == 0 {
            switch info.st_mode & S_IFMT {
            case S_IFREG: break
            case S_IFDIR:
                throw GFEError.badInput("\(outputOption) \(output) is a folder; give the path of a file in it")
            default: throw notRegular(output, outputOption)
            }
        }
        func canonical(_ path: String) -> String {
            URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
        }
        let out = canonical(output)
        if let input = inputs.first(where: { canonical($0.path) == out }) {
            throw GFEError.badInput(
                "\(outputOption) \(output) is the file \(input.option) reads (\(input.path)); writing it would replace "
                    + "that input: choose another output file")
        }
        let folder = (out as NSString).deletingLastPathComponent
        if access(folder + "/run.json", F_OK) == 0 {
            throw GFEError.badInput(
                "\(outputOption) \(output) is inside the folder of a stored run (\(folder) holds run.json); writing "
                    + "there would change that run: choose a file elsewhere")
        }
    }

    private static func notRegular(_ path: String, _ what: String) -> GFEError {
        .badInput(
            "\(what) \(path) is not a regular file (a device, a pipe or a symbolic link); writing would replace it: "
                + "give the path of a regular file")
    }

    /// Replaces (or creates) `path` with `bytes`, atomically.
    public static func write(_ bytes: [UInt8], to path: String) throws {
        try write(to: path) { temporary in
            try writeAll(bytes, to: temporary, reportingAs: path)
        }
    }

    /// Replaces (or creates) `path` with the UTF-8 text, atomically.
    public static func write(_ text: String, to path: String) throws {
        try write(Array(text.utf8), to: path)
    }

    /// Runs `body` with the path of a fresh temporary file beside `path` (it does not exist yet; `body` creates
    /// it), then flushes it to disk and renames it over `path`. If `body` throws, the temporary is removed,
    /// `path` is untouched and the error is rethrown.
    public static func write<R>(to path: String, _ body: (_ temporaryPath: String) throws -> R) throws -> R {
        try requireFolder(of: path)
        // The rename would replace a device, pipe or link with a regular file.
        var info = stat()
        if lstat(path, &info) == 0 && (info.st_mode & S_IFMT) != S_IFREG {
            if (info.st_mode & S_IFMT) == S_IFDIR { throw GFEError.badInput("\(path) is a folder, not a file") }
            throw notRegular(path, "the output")
        }
        let temporary = temporaryPath(for: path)
        do {
            let result = try body(temporary)
            try commit(temporary: temporary, to: path)
            return result
        } catch {
            unlink(temporary)
            throw error
        }
    }

    /// A path for a temporary file in the same folder as `path` (so the rename stays on one file system):
    /// `.NAME.tmp-PID-RANDOM` (hidden, and unique across processes and calls).
    static func temporaryPath(for path: String) -> String {
        let (folder, name) = split(path)
        let token = String(UInt64.random(in: 0...UInt64.max), radix: 36)
        return folder + "." + name + ".tmp-\(getpid())-" + token
    }

    /// fsyncs `temporary`, renames it over `path` and fsyncs the folder so the rename itself is durable.
    static func commit(temporary: String, to path: String) throws {
        let fd = open(temporary, O_RDONLY)
        guard fd >= 0 else { throw systemError(path, "could not reopen the temporary file \(temporary) to flush it") }
        let synced = fsync(fd) == 0
        let savedErrno = errno
        close(fd)
        guard synced else {
            errno = savedErrno
            throw systemError(path, "could not flush the new contents to disk")
        }
        guard rename(temporary, path) == 0 else { throw systemError(path, "could not move the new file into place") }
        let (folder, _) = split(path)
        let folderFD = open(folder.isEmpty ? "." : folder, O_RDONLY | O_DIRECTORY)
        if folderFD >= 0 {
            _ = fsync(folderFD)  // best effort: some file systems refuse fsync on folders
            close(folderFD)
        }
    }

    /// Throws a clear error when the folder that is to hold `path` does not exist.
    static func requireFolder(of path: String) throws {
        let (folder, _) = split(path)
        var info = stat()
        let folderPath = folder.isEmpty ? "." : folder
        guard stat(folderPath, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else {
            throw StoreError(
                file: path, problem: "cannot write: the folder \(folderPath) does not exist; create it first")
        }
    }

    /// Copies the file at `source` to `destination` (created, or truncated), byte for byte.
    static func copyFile(_ source: String, to destination: String, reportingAs display: String) throws {
        let input = open(source, O_RDONLY)
        guard input >= 0 else { throw systemError(display, "could not open for reading") }
        defer { close(input) }
        let output = open(destination, O_WRONLY | O_CREAT | O_TRUNC, 0o666)
        guard output >= 0 else { throw systemError(display, "could not create the temporary copy \(destination)") }
        defer { close(output) }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let got = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
            if got < 0 {
                if errno == EINTR { continue }
                throw systemError(display, "could not read")
            }
            if got == 0 { break }
            try writeAll(buffer[0..<got], descriptor: output, reportingAs: display)
        }
    }

    private static func writeAll(_ bytes: [UInt8], to path: String, reportingAs display: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o666)
        guard fd >= 0 else { throw systemError(display, "could not create the temporary file \(path)") }
        defer { close(fd) }
        try writeAll(bytes[...], descriptor: fd, reportingAs: display)
    }

    private static func writeAll(_ bytes: ArraySlice<UInt8>, descriptor fd: Int32, reportingAs display: String) throws {
        do {
            _ = try FileDescriptor(rawValue: fd).writeAll(bytes)
        } catch let e as Errno {
            throw systemError(display, "could not write", code: e.rawValue)
        }
    }

    /// ("folder/", "name") for "folder/name"; ("", "name") for a bare name.
    private static func split(_ path: String) -> (folder: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return ("", path) }
        return (String(path[...slash]), String(path[path.index(after: slash)...]))
    }

    /// An error for a failed system call, with the C library's reason (errno).
    static func systemError(_ path: String, _ what: String, code: Int32 = errno) -> StoreError {
        let reason = String(cString: strerror(code))
        let kind: GFEError.Kind = code == ENOENT || code == EACCES || code == ENOTDIR ? .badInput : .runFailure
        return StoreError(file: path, problem: "\(what): \(reason)", kind: kind)
    }
}
