import CZlib
import GFECore

/// Streaming gzip decompression through zlib's `inflate`.
///
/// Feed the compressed bytes in chunks of any size with `feed`, then call `finish` for the output. zlib is
/// initialised with windowBits 15 + 32 (automatic gzip/zlib header detection, 32 KiB window). Several gzip
/// members one after another (RFC 1952 allows this; `cat a.gz b.gz`) decompress to the concatenation of their
/// contents. Bytes after the last member that are not another gzip member are an error, as is a stream that
/// ends inside a member (a truncated download).
///
/// A class because zlib keeps a pointer back to its `z_stream`, which therefore must not move.
public final class GzipInflater {
    private let stream: UnsafeMutablePointer<z_stream>
    private var output: [UInt8] = []
    private var outChunk = [UInt8](repeating: 0, count: 1 << 18)
    private var initialised = false
    private var memberEnded = false  // the current member has reached its end
    private var members = 0  // members completed
    private var memberInput = 0  // compressed bytes consumed by the current member
    private var compressedTotal = 0
    private let path: String
    private let fix: String
    /// The most output bytes accepted: a file that inflates beyond it is refused as soon as it does, so a
    /// small file that decompresses to gigabytes (a gzip bomb, or the wrong file) cannot exhaust memory.
    private let limit: Int

    /// `path` and `fix` only label error messages (which file; how to get a good copy).
    public init(path: String, fix: String = "", limit: Int = .max) throws {
        self.path = path
        self.fix = fix
        self.limit = limit
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let status = inflateInit2_(stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            throw DataError(
                .corruptGzip, "zlib could not start decompressing \(path) (inflateInit2 returned \(status)).")
        }
        initialised = true
    }

    deinit {
        close()
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// Releases zlib's state; the inflater cannot be fed afterwards. Called by `deinit` too.
    public func close() {
        if initialised {
            inflateEnd(stream)
            initialised = false
        }
    }

    /// Reserves room for `count` output bytes (a hint, e.g. from the gzip trailer).
    public func reserveOutput(_ count: Int) { output.reserveCapacity(count) }

    /// Decompresses one chunk of compressed input.
    public func feed(_ input: UnsafeMutableBufferPointer<UInt8>) throws {
        guard initialised else { throw DataError(.corruptGzip, "internal: gzip inflater of \(path) used after close.") }
        guard let base = input.baseAddress, input.count > 0 else { return }
        compressedTotal += input.count
        stream.pointee.next_in = base
        stream.pointee.avail_in = UInt32(input.count)
        while stream.pointee.avail_in > 0 {
            if memberEnded {
                // More input after a member's end: it must be another gzip member.
                inflateReset(stream)
                memberEnded = false
                memberInput = 0
            }
            let before = Int(stream.pointee.avail_in)
            let status = outChunk.withUnsafeMutableBufferPointer { out -> Int32 in
                stream.pointee.next_out = out.baseAddress
                stream.pointee.avail_out = UInt32(out.count)
                let s = inflate(stream, Z_NO_FLUSH)
                let produced = out.count - Int(stream.pointee.avail_out)
                output.append(contentsOf: out[0..<produced])
                return s
            }
            if output.count > limit { throw FileContents.tooLarge(path, limit: limit, fix: fix) }
            memberInput += before - Int(stream.pointee.avail_in)
            switch status {
            case Z_OK:
                continue
            case Z_STREAM_END:
                memberEnded = true
                members += 1
            case Z_BUF_ERROR:
                return  // no progress possible with this input: wait for more
            case Z_DATA_ERROR, Z_NEED_DICT, Z_STREAM_ERROR:
                if members > 0 && memberInput <= 10 {
                    // Failed on the header of a would-be next member: garbage after the gzip data.
                    throw DataError(
                        .trailingData,
                        "data file \(path): bytes after the end of its gzip stream are not another gzip member "
                            + "(trailing garbage: the file is damaged).\(suffix(fix))")
                }
                let reason = stream.pointee.msg.map { String(cString: $0) } ?? "zlib status \(status)"
                throw DataError(
                    .corruptGzip,
                    "data file \(path) is not a valid gzip file (\(reason), after \(grouped(compressedTotal)) "
                        + "compressed bytes read): the file is damaged.\(suffix(fix))")
            case Z_MEM_ERROR:
                throw DataError(.corruptGzip, "out of memory while decompressing \(path).")
            default:
                throw DataError(.corruptGzip, "zlib failed on \(path) with status \(status).\(suffix(fix))")
            }
        }
        // All input consumed; inflate may still hold output that did not fit in the last out chunk.
        try drainPendingOutput()
    }

    /// The decompressed bytes. Throws if the input ended inside a gzip member.
    public func finish() throws -> [UInt8] {
        try drainPendingOutput()
        if !memberEnded && members > 0 {
            throw DataError(
                .trailingData,
                "data file \(path): the \(grouped(memberInput)) byte(s) after its gzip data do not form a complete "
                    + "gzip member (trailing garbage, or a truncated file).\(suffix(fix))")
        }
        guard memberEnded else {
            throw DataError(
                .truncated,
                "data file \(path): its gzip stream ends early, after \(grouped(compressedTotal)) compressed bytes "
                    + "(\(grouped(output.count)) bytes decompressed): the file is truncated.\(suffix(fix))")
        }
        close()
        let result = output
        output = []
        return result
    }

    /// Calls inflate with no new input until it has no more output to give.
    private func drainPendingOutput() throws {
        guard initialised, !memberEnded else { return }
        while true {
            let (status, produced) = outChunk.withUnsafeMutableBufferPointer { out -> (Int32, Int) in
                stream.pointee.next_out = out.baseAddress
                stream.pointee.avail_out = UInt32(out.count)
                let s = inflate(stream, Z_NO_FLUSH)
                let n = out.count - Int(stream.pointee.avail_out)
                output.append(contentsOf: out[0..<n])
                return (s, n)
            }
            if status == Z_STREAM_END {
                memberEnded = true
                members += 1
                return
            }
            if status == Z_BUF_ERROR || produced == 0 { return }
            if status != Z_OK {
                throw DataError(
                    .corruptGzip, "data file \(path) is not a valid gzip file (zlib status \(status)).\(suffix(fix))")
            }
        }
    }
}
