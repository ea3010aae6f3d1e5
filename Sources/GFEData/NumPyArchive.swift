import CZlib
import GFECore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `.npz` files: the zip archive around the `.npy` members (central directory, ZIP64, stored and deflated
/// members, CRC-32).
extension NumPyFile {
    // MARK: .npz (zip)

    struct ZipMember {
        var name: String
        var flags: Int
        var method: Int
        var crc: UInt32
        var compressedSize: Int
        var size: Int
        var headerOffset: Int
    }

    /// The members listed in the archive's central directory (ZIP64 records and fields included).
    static func zipDirectory(_ b: [UInt8], label: String) throws -> [ZipMember] {
        func damaged(_ what: String) -> DataError {
            DataError(.corruptArchive, "\(label) is a damaged .npz (zip) archive: \(what).")
        }
        // The end record (22 bytes and a comment of up to 65,535) closes the file: search back for its signature.
        var end = b.count - 22
        while end >= max(0, b.count - 22 - 0xFFFF) {
            if littleEndian(b, end, 4) == 0x0605_4b50 && end + 22 + littleEndian(b, end + 20, 2) == b.count { break }
            end -= 1
        }
        guard end >= 0 && end >= b.count - 22 - 0xFFFF else {
            throw DataError(
                .truncated,
                "\(label) is a .npz (zip) archive without the end-of-central-directory record that closes a zip "
                    + "file: it is truncated or damaged.")
        }
        guard littleEndian(b, end + 4, 2) == 0 && littleEndian(b, end + 6, 2) == 0 else {
            throw DataError(.unsupportedFormat, "\(label) is a multi-part zip archive; only single-file .npz are read.")
        }
        var count = littleEndian(b, end + 10, 2)
        var directorySize = littleEndian(b, end + 12, 4)
        var directoryOffset = littleEndian(b, end + 16, 4)
        // A ZIP64 locator just before the end record points to the ZIP64 end record, whose 64-bit fields replace
        // the 16- and 32-bit ones (Python's zipfile writes them for large archives).
        if end >= 20 && littleEndian(b, end - 20, 4) == 0x0706_4b50 {
            let record = littleEndian(b, end - 12, 8)
            guard record <= b.count - 56 && littleEndian(b, record, 4) == 0x0606_4b50 else {
                throw damaged("its ZIP64 locator points to no ZIP64 end record")
            }
            count = littleEndian(b, record + 32, 8)
            directorySize = littleEndian(b, record + 40, 8)
            directoryOffset = littleEndian(b, record + 48, 8)
        }
        guard directoryOffset <= end && directorySize <= b.count - directoryOffset else {
            throw damaged(
                "its central directory (\(grouped(directorySize)) bytes at \(grouped(directoryOffset))) lies "
                    + "outside the file's \(grouped(b.count)) bytes")
        }
        var members: [ZipMember] = []
        var p = directoryOffset
        for _ in 0..<count {
            guard p <= b.count - 46 && littleEndian(b, p, 4) == 0x0201_4b50 else {
                throw damaged("central directory entry \(members.count + 1) of \(count) is missing")
            }
            let nameEnd = p + 46 + littleEndian(b, p + 28, 2)
            let extraEnd = nameEnd + littleEndian(b, p + 30, 2)
            let entryEnd = extraEnd + littleEndian(b, p + 32, 2)
            guard entryEnd <= b.count else { throw damaged("central directory entry \(members.count + 1) is cut off") }
            var m = ZipMember(
                name: String(decoding: b[(p + 46)..<nameEnd], as: UTF8.self), flags: littleEndian(b, p + 8, 2),
                method: littleEndian(b, p + 10, 2), crc: UInt32(littleEndian(b, p + 16, 4)),
                compressedSize: littleEndian(b, p + 20, 4), size: littleEndian(b, p + 24, 4),
                headerOffset: littleEndian(b, p + 42, 4))
            // The ZIP64 extra field (id 1) holds, in this order, the 64-bit values of those fields set to 0xFFFFFFFF.
            var e = nameEnd
            while e + 4 <= extraEnd {
                let fieldEnd = min(e + 4 + littleEndian(b, e + 2, 2), extraEnd)
                if littleEndian(b, e, 2) == 1 {
                    var f = e + 4
                    let name = m.name
                    func wide(_ value: inout Int) throws {
                        guard value == 0xFFFF_FFFF else { return }
                        guard f + 8 <= fieldEnd else { throw damaged("the ZIP64 field of \"\(name)\" is too short") }
                        value = littleEndian(b, f, 8)
                        f += 8
                    }
                    try wide(&m.size)
                    try wide(&m.compressedSize)
                    try wide(&m.headerOffset)
                }
                e = fieldEnd
            }
            members.append(m)
            p = entryEnd
        }
        return members
    }

    /// The uncompressed bytes of member `m`, checked against the sizes and CRC-32 the directory declares.
    static func memberContents(_ m: ZipMember, of b: [UInt8], label: String) throws -> [UInt8] {
        guard m.flags & 1 == 0 else {
            throw DataError(.unsupportedFormat, "\(label) is encrypted; only unencrypted .npz archives are read.")
        }
        guard m.size <= arrayFileLimit else {
            throw DataError(
                .unsupportedFormat,
                "\(label) declares \(grouped(m.size)) bytes uncompressed; arrays over 8 GiB "
                    + "(\(grouped(arrayFileLimit)) bytes) are refused.")
        }
        let h = m.headerOffset
        guard h <= b.count - 30 && littleEndian(b, h, 4) == 0x0403_4b50 else {
            throw DataError(.corruptArchive, "\(label): the zip archive has no local header at \(grouped(h)).")
        }
        // The local header's own sizes may be 0xFFFFFFFF (numpy forces ZIP64) or zero (data descriptor): the
        // central directory's are used; the local header only gives where the data starts.
        let start = h + 30 + littleEndian(b, h + 26, 2) + littleEndian(b, h + 28, 2)
        guard start <= b.count && m.compressedSize <= b.count - start else {
            throw DataError(
                .truncated,
                "\(label): its \(grouped(m.compressedSize)) stored bytes run past the end of the archive: truncated.")
        }
        let raw = b[start..<(start + m.compressedSize)]
        let data: [UInt8]
        switch m.method {
        case 0:
            guard m.compressedSize == m.size else {
                throw DataError(
                    .corruptArchive,
                    "\(label) is stored uncompressed, yet the zip directory declares \(grouped(m.compressedSize)) "
                        + "stored and \(grouped(m.size)) uncompressed bytes: the archive is damaged.")
            }
            data = Array(raw)
        case 8:
            data = try inflateRaw(raw, size: m.size, label: label)
        default:
            throw DataError(
                .unsupportedFormat,
                "\(label) uses zip compression method \(m.method); supported: 0 (stored, np.savez) and 8 (deflate, "
                    + "np.savez_compressed).")
        }
        var crc: UInt = 0
        data.withUnsafeBufferPointer { buffer in
            var offset = 0
            repeat {  // zlib's crc32 takes a 32-bit length: 1 GiB at a time
                let n = min(buffer.count - offset, 1 << 30)
                crc = crc32(crc, buffer.baseAddress.map { $0 + offset }, UInt32(n))
                offset += n
            } while offset < buffer.count
        }
        guard UInt32(crc) == m.crc else {
            throw DataError(
                .checksumMismatch,
                "\(label): CRC-32 of its contents is \(hexDigits(UInt32(crc), 8)), the zip directory declares "
                    + "\(hexDigits(m.crc, 8)): the archive is damaged.")
        }
        return data
    }

    /// Inflates a raw deflate stream (zip stores no zlib or gzip header) that must yield exactly `size` bytes.
    static func inflateRaw(_ input: ArraySlice<UInt8>, size: Int, label: String) throws -> [UInt8] {
        // Allocated, not a local: zlib keeps a pointer back to its z_stream, which therefore must not move.
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        defer { stream.deallocate() }
        guard inflateInit2_(stream, -15, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw DataError(.corruptArchive, "\(label): zlib could not start inflating.")
        }
        defer { inflateEnd(stream) }
        var output = [UInt8](repeating: 0, count: size + 1)  // the spare byte catches output beyond `size`
        var (status, produced) = (Z_OK, 0)
        input.withUnsafeBufferPointer { inBuffer in
            output.withUnsafeMutableBufferPointer { outBuffer in
                var consumed = 0
                while status == Z_OK {  // avail_in and avail_out are 32-bit: at most 1 GiB per call
                    let inCount = min(inBuffer.count - consumed, 1 << 30)
                    let outCount = min(outBuffer.count - produced, 1 << 30)
                    stream.pointee.next_in = UnsafeMutablePointer(mutating: inBuffer.baseAddress.map { $0 + consumed })
                    stream.pointee.avail_in = UInt32(inCount)
                    stream.pointee.next_out = outBuffer.baseAddress! + produced
                    stream.pointee.avail_out = UInt32(outCount)
                    status = inflate(stream, Z_NO_FLUSH)
                    consumed += inCount - Int(stream.pointee.avail_in)
                    produced += outCount - Int(stream.pointee.avail_out)
                }
            }
        }
        if status == Z_STREAM_END && produced == size {
            output.removeLast()
            return output
        }
        let declared = "the \(grouped(size)) bytes the zip directory declares"
        let reason =
            if produced > size {
                "it inflates to more than \(declared)"
            } else if status == Z_STREAM_END {
                "it inflates to \(grouped(produced)) bytes, not \(declared)"
            } else if status == Z_BUF_ERROR {
                "its deflate stream ends early, after \(grouped(produced)) of \(declared)"
            } else {
                "invalid deflate data (\(stream.pointee.msg.map { String(cString: $0) } ?? "zlib status \(status)"))"
            }
        throw DataError(.corruptArchive, "\(label): \(reason): the archive is damaged.")
    }
}
