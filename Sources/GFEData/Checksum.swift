import Crypto
import Foundation

/// SHA-256 digests as lowercase hexadecimal (apple/swift-crypto): the datasets' checksums and the run ids.
public enum Checksum {
    /// The SHA-256 of `bytes`, 64 lowercase hexadecimal digits.
    public static func sha256(_ bytes: [UInt8]) -> String {
        hex(SHA256.hash(data: bytes))
    }

    /// The SHA-256 of the UTF-8 bytes of `text`.
    public static func sha256(_ text: String) -> String { sha256(Array(text.utf8)) }

    static func hex(_ digest: SHA256.Digest) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(2 * SHA256.byteCount)
        for byte in digest {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

extension Checksum {
    /// The SHA-256 of the file at `path`, read in 1 MiB pieces (data files may be large).
    public static func sha256(file path: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw DataError(.unreadableFile, "data file \(path) cannot be opened for reading")
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        while let piece = try handle.read(upToCount: 1 << 20), !piece.isEmpty { hasher.update(data: piece) }
        return hex(hasher.finalize())
    }
}
