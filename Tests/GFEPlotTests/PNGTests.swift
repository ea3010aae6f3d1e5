import Foundation
import GFETestSupport
import Testing

@testable import GFEPlot

/// Decodes a PNG file with python3's struct and zlib: checks the signature, every chunk's CRC, the chunk
/// order and filter bytes, and prints width, height, colour type and the pixel bytes as hex.
private let decodePNG = """
    import sys, struct, zlib, json
    data = open(sys.argv[1], 'rb').read()
    assert data[:8] == b'\\x89PNG\\r\\n\\x1a\\n', 'bad signature'
    pos, names, idat, crc_ok = 8, [], b'', True
    while pos < len(data):
        length, kind = struct.unpack('>I4s', data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        crc, = struct.unpack('>I', data[pos + 8 + length:pos + 12 + length])
        crc_ok = crc_ok and (zlib.crc32(kind + body) & 0xffffffff) == crc
        names.append(kind.decode())
        if kind == b'IHDR': w, h, depth, ctype, comp, filt, inter = struct.unpack('>IIBBBBB', body)
        if kind == b'IDAT': idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = w * {0: 1, 2: 3}[ctype]
    assert len(raw) == h * (stride + 1), 'scanline bytes'
    filters = sorted({raw[r * (stride + 1)] for r in range(h)})
    pixels = b''.join(raw[r * (stride + 1) + 1:(r + 1) * (stride + 1)] for r in range(h))
    print(json.dumps({'width': w, 'height': h, 'depth': depth, 'colourType': ctype, 'compression': comp,
                      'filter': filt, 'interlace': inter, 'chunks': names, 'crcOK': crc_ok, 'filters': filters,
                      'pixels': pixels.hex()}))
    """

private struct DecodedPNG: Decodable {
    let width, height, depth, colourType, compression, filter, interlace: Int
    let chunks: [String]
    let crcOK: Bool
    let filters: [Int]
    let pixels: String
}

private func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

private func roundTrip(_ image: PNGImage) throws -> DecodedPNG {
    let dir = try TestPaths.temporaryFolder("gfeplot-tests")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let path = dir + "/image.png"
    try Data(try image.encoded()).write(to: URL(fileURLWithPath: path))
    let json = try Python.run(decodePNG, [path])
    return try JSONDecoder().decode(DecodedPNG.self, from: Data(json.utf8))
}

@Suite("PNG writer")
struct PNGTests {
    @Test("CRC-32 matches the standard check value and the well-known IEND CRC")
    func crcCheckValues() {
        #expect(PNGImage.crc32(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(PNGImage.crc32(Array("IEND".utf8)) == 0xAE42_6082)
    }

    @Test("The file starts with the signature and an IHDR chunk laid out by hand, and ends with IEND")
    func layout() throws {
        let image = try PNGImage(width: 3, height: 2, colour: .rgb, pixels: Array(0..<18))
        let bytes = try image.encoded()
        #expect(Array(bytes[0..<8]) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        // IHDR: length 13, "IHDR", width 3, height 2, depth 8, colour type 2, compression, filter, interlace 0.
        let typeAndData: [UInt8] = [0x49, 0x48, 0x44, 0x52, 0, 0, 0, 3, 0, 0, 0, 2, 8, 2, 0, 0, 0]
        let crc = PNGImage.crc32(typeAndData)  // the function validated against check values above
        let crcBytes = [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: crc >> UInt32($0)) }
        #expect(Array(bytes[8..<33]) == [0, 0, 0, 13] + typeAndData + crcBytes)
        #expect(Array(bytes.suffix(12)) == [0, 0, 0, 0, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82])
    }

    @Test(
        "A greyscale image decodes with python3 zlib to the same pixels, with valid CRCs",
        .enabled(if: Python.available, "python3 is not installed"))
    func greyscaleRoundTrip() throws {
        // A 37 × 23 gradient with a pattern, so that rows differ and compression has something to do.
        let (w, h) = (37, 23)
        let pixels = (0..<(w * h)).map {
            UInt8(truncatingIfNeeded: ($0 % w) * 7 + ($0 / w) * 3 + ($0 % 5 == 0 ? 100 : 0))
        }
        let decoded = try roundTrip(try PNGImage(width: w, height: h, colour: .greyscale, pixels: pixels))
        #expect(decoded.crcOK)
        #expect(decoded.chunks == ["IHDR", "IDAT", "IEND"])
        #expect([decoded.width, decoded.height, decoded.depth, decoded.colourType] as [Int] == [w, h, 8, 0])
        #expect([decoded.compression, decoded.filter, decoded.interlace] as [Int] == [0, 0, 0])
        #expect(decoded.filters == [0])
        #expect(decoded.pixels == hex(pixels))
    }

    @Test(
        "An RGB image decodes with python3 zlib to the same pixels",
        .enabled(if: Python.available, "python3 is not installed"))
    func rgbRoundTrip() throws {
        let (w, h) = (64, 40)
        var rng = SplitMix(seed: 7)
        let pixels = (0..<(w * h * 3)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        let decoded = try roundTrip(try PNGImage(width: w, height: h, colour: .rgb, pixels: pixels))
        #expect(decoded.crcOK)
        #expect([decoded.width, decoded.height, decoded.colourType] as [Int] == [w, h, 2])
        #expect(decoded.pixels == hex(pixels))
    }

    @Test("A pixel count that does not match the size is a clear error")
    func badPixelCount() {
        #expect(throws: (any Error).self) {
            try PNGImage(width: 4, height: 4, colour: .rgb, pixels: [UInt8](repeating: 0, count: 16))
        }
        #expect(throws: (any Error).self) { try PNGImage(width: 0, height: 4, colour: .greyscale, pixels: []) }
    }
}

/// A tiny generator for test data (independent of the code under test).
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform on [0, 1).
    mutating func uniform() -> Double { Double(next() >> 11) * 0x1p-53 }
    /// Standard normal (Box–Muller).
    mutating func normal() -> Double {
        let u1 = max(uniform(), 1e-300)
        let u2 = uniform()
        return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }
}
