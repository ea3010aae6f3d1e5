import GFECore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a data file's contents, decompressing gzip on the fly.
///
/// A file whose first two bytes are the gzip magic 1f 8b is inflated through zlib (see `GzipInflater`),
/// whatever its name; any other file is returned as it is. The file is read in 1 MiB chunks, so a compressed
/// file is never held in memory whole next to its output.
public enum FileContents {
    static let chunkSize = 1 << 20

    /// The uncompressed bytes of the file at `path`. `fix` is appended to error messages (how to get good data).
    /// More than `limit` bytes (uncompressed) is an error, raised as soon as the limit is passed.
    public static func read(_ path: String, fix: String = "", limit: Int = .max) throws -> [UInt8] {
        guard let file = fopen(path, "rb") else {
            let reason = String(cString: strerror(errno))
            throw DataError(.unreadableFile, "cannot open data file \(path): \(reason).\(suffix(fix))")
        }
        defer { fclose(file) }

        var chunk = [UInt8](repeating: 0, count: chunkSize)
        let firstCount = try readChunk(file, into: &chunk, path: path, fix: fix)
        let isGzip = firstCount >= 2 && chunk[0] == 0x1f && chunk[1] == 0x8b

        if !isGzip {
            var out: [UInt8] = []
            if let size = fileSize(file) { out.reserveCapacity(size) }
            out.append(contentsOf: chunk[0..<firstCount])
            while true {
                let n = try readChunk(file, into: &chunk, path: path, fix: fix)
                if n == 0 { break }
                out.append(contentsOf: chunk[0..<n])
                if out.count > limit { throw tooLarge(path, limit: limit, fix: fix) }
            }
            if out.count > limit { throw tooLarge(path, limit: limit, fix: fix) }
            return out
        }

        let inflater = try GzipInflater(path: path, fix: fix, limit: limit)
        defer { inflater.close() }
        if let hint = gzipSizeHint(file) { inflater.reserveOutput(min(hint, limit)) }
        var n = firstCount
        while n > 0 {
            try chunk.withUnsafeMutableBufferPointer {
                try inflater.feed(UnsafeMutableBufferPointer(rebasing: $0[0..<n]))
            }
            n = try readChunk(file, into: &chunk, path: path, fix: fix)
        }
        return try inflater.finish()
    }

    static func tooLarge(_ path: String, limit: Int, fix: String) -> DataError {
        DataError(
            .trailingData,
            "data file \(path) holds more than the \(grouped(limit)) bytes expected (uncompressed; reading stopped "
                + "there): it is not the expected file.\(suffix(fix))")
    }

    private static func readChunk(
        _ file: UnsafeMutablePointer<FILE>, into chunk: inout [UInt8],
        path: String, fix: String
    ) throws -> Int {
        let n = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
        if n < chunk.count && ferror(file) != 0 {
            let reason = String(cString: strerror(errno))
            throw DataError(.unreadableFile, "error reading data file \(path): \(reason).\(suffix(fix))")
        }
        return n
    }

    /// The file's size in bytes, leaving the read position where it was.
    private static func fileSize(_ file: UnsafeMutablePointer<FILE>) -> Int? {
        let here = ftell(file)
        guard here >= 0, fseek(file, 0, SEEK_END) == 0 else { return nil }
        let size = ftell(file)
        fseek(file, here, SEEK_SET)
        return size >= 0 ? size : nil
    }

    /// gzip's trailer ends with ISIZE, the uncompressed size mod 2³²: a capacity hint for the output (only a
    /// hint: it is wrong for multi-member or > 4 GiB files, and capped at 1 GiB).
    private static func gzipSizeHint(_ file: UnsafeMutablePointer<FILE>) -> Int? {
        let here = ftell(file)
        guard here >= 0, fseek(file, -4, SEEK_END) == 0 else { return nil }
        var b = [UInt8](repeating: 0, count: 4)
        let n = b.withUnsafeMutableBytes { fread($0.baseAddress, 1, 4, file) }
        fseek(file, here, SEEK_SET)
        guard n == 4 else { return nil }
        let size = Int(b[0]) | Int(b[1]) << 8 | Int(b[2]) << 16 | Int(b[3]) << 24
        return min(size, 1 << 30)
    }
}

/// " <fix>" or "", for appending a how-to-fix sentence to a message.
func suffix(_ fix: String) -> String { fix.isEmpty ? "" : " " + fix }
