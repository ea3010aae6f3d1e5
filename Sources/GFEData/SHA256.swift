/// SHA-256 (FIPS 180-4), streaming: feed bytes with `update` in pieces of any size, then `finalize`.
///
/// Written here because CryptoKit does not exist on Linux. Used to check the uncompressed IDX files against
/// known checksums, so it must be fast enough to hash 47 MB at every process start: the compression
/// function works on raw pointers and keeps the 64-word message schedule in a buffer allocated once.
public struct SHA256: Sendable {
    /// Digest size in bytes.
    public static let digestCount = 32

    private var state: [UInt32] = SHA256.initialState
    private var schedule = [UInt32](repeating: 0, count: 64)
    private var pending = [UInt8](repeating: 0, count: 64)   // a partial block waiting for more input
    private var pendingCount = 0
    private var totalBytes: UInt64 = 0

    public init() {}

    /// Adds `bytes` to the message.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard var base = bytes.baseAddress, bytes.count > 0 else { return }
        var remaining = bytes.count
        totalBytes &+= UInt64(remaining)
        // Complete a pending partial block first.
        if pendingCount > 0 {
            let take = min(64 - pendingCount, remaining)
            pending.withUnsafeMutableBytes { p in
                (p.baseAddress! + pendingCount).copyMemory(from: base, byteCount: take)
            }
            pendingCount += take
            base += take
            remaining -= take
            if pendingCount < 64 { return }
            pending.withUnsafeBytes { p in compress(blocks: p.baseAddress!, count: 1) }
            pendingCount = 0
        }
        let whole = remaining / 64
        if whole > 0 {
            compress(blocks: base, count: whole)
            base += whole * 64
            remaining -= whole * 64
        }
        if remaining > 0 {
            pending.withUnsafeMutableBytes { p in p.baseAddress!.copyMemory(from: base, byteCount: remaining) }
            pendingCount = remaining
        }
    }

    /// Adds `bytes` to the message.
    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// Adds the UTF-8 bytes of `string` to the message.
    public mutating func update(_ string: String) {
        update(Array(string.utf8))
    }

    /// Pads the message (a 1 bit, zeros, the 64-bit big-endian bit length) and returns the 32-byte digest.
    /// The hasher is spent afterwards; make a new one for another message.
    public mutating func finalize() -> [UInt8] {
        let bitLength = totalBytes &* 8
        var tail = [UInt8](repeating: 0, count: pendingCount < 56 ? 64 : 128)
        for i in 0..<pendingCount { tail[i] = pending[i] }
        tail[pendingCount] = 0x80
        for i in 0..<8 { tail[tail.count - 1 - i] = UInt8(truncatingIfNeeded: bitLength >> (8 * UInt64(i))) }
        tail.withUnsafeBytes { compress(blocks: $0.baseAddress!, count: tail.count / 64) }
        pendingCount = 0
        var digest: [UInt8] = []
        digest.reserveCapacity(32)
        for word in state {
            digest.append(UInt8(truncatingIfNeeded: word >> 24))
            digest.append(UInt8(truncatingIfNeeded: word >> 16))
            digest.append(UInt8(truncatingIfNeeded: word >> 8))
            digest.append(UInt8(truncatingIfNeeded: word))
        }
        return digest
    }

    /// The digest of `bytes` as 64 lowercase hexadecimal digits.
    public static func hex(_ bytes: [UInt8]) -> String {
        var hasher = SHA256()
        hasher.update(bytes)
        return hexString(hasher.finalize())
    }

    /// The digest of the UTF-8 bytes of `string` as 64 lowercase hexadecimal digits.
    public static func hex(_ string: String) -> String { hex(Array(string.utf8)) }

    /// Lowercase hexadecimal spelling of `bytes`.
    public static func hexString(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for b in bytes { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 15)]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Runs the compression function over `count` consecutive 64-byte blocks starting at `blocks`.
    private mutating func compress(blocks: UnsafeRawPointer, count: Int) {
        state.withUnsafeMutableBufferPointer { hBuf in
            schedule.withUnsafeMutableBufferPointer { wBuf in
                SHA256.roundConstants.withUnsafeBufferPointer { kBuf in
                    SHA256.compress(blocks: blocks, count: count,
                                    h: hBuf.baseAddress!, w: wBuf.baseAddress!, k: kBuf.baseAddress!)
                }
            }
        }
    }

    @inline(__always)
    private static func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x &>> n) | (x &<< (32 &- n)) }

    private static func compress(blocks: UnsafeRawPointer, count: Int,
                                 h: UnsafeMutablePointer<UInt32>, w: UnsafeMutablePointer<UInt32>,
                                 k: UnsafePointer<UInt32>) {
        var block = blocks
        for _ in 0..<count {
            // Message words are big-endian.
            let bytes = block.assumingMemoryBound(to: UInt8.self)
            for t in 0..<16 {
                let b = bytes + 4 * t
                w[t] = UInt32(b[0]) &<< 24 | UInt32(b[1]) &<< 16 | UInt32(b[2]) &<< 8 | UInt32(b[3])
            }
            for t in 16..<64 {
                let x = w[t - 15], y = w[t - 2]
                let s0 = rotr(x, 7) ^ rotr(x, 18) ^ (x &>> 3)
                let s1 = rotr(y, 17) ^ rotr(y, 19) ^ (y &>> 10)
                w[t] = w[t - 16] &+ s0 &+ w[t - 7] &+ s1
            }
            var a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7]
            for t in 0..<64 {
                let s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)
                let ch = (e & f) ^ (~e & g)
                let t1 = hh &+ s1 &+ ch &+ k[t] &+ w[t]
                let s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)
                let maj = (a & b) ^ (a & c) ^ (b & c)
                let t2 = s0 &+ maj
                hh = g; g = f; f = e; e = d &+ t1
                d = c; c = b; b = a; a = t1 &+ t2
            }
            h[0] &+= a; h[1] &+= b; h[2] &+= c; h[3] &+= d
            h[4] &+= e; h[5] &+= f; h[6] &+= g; h[7] &+= hh
            block += 64
        }
    }

    private static let initialState: [UInt32] = [
        0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19,
    ]

    private static let roundConstants: [UInt32] = [
        0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4, 0xab1c_5ed5,
        0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe, 0x9bdc_06a7, 0xc19b_f174,
        0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f, 0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da,
        0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7, 0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967,
        0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc, 0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85,
        0xa2bf_e8a1, 0xa81a_664b, 0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070,
        0x19a4_c116, 0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f, 0x682e_6ff3,
        0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7, 0xc671_78f2,
    ]
}
