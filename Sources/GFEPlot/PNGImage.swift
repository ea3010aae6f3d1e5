import CZlib
import Foundation
import GFECore

/// An 8-bit image that encodes as a PNG file (ISO/IEC 15948): greyscale (colour type 0) or RGB (colour
/// type 2), bit depth 8, no interlacing.
///
/// `pixels` is row-major, top row first: `width·height` bytes for greyscale, `3·width·height` (R, G, B per
/// pixel) for RGB. Encoding writes the signature, an IHDR chunk, one IDAT chunk holding the zlib stream
/// (`compress2`) of the scanlines, each prefixed by filter type 0 (None), and an IEND chunk; every chunk is
/// length (big-endian), type, data, CRC-32 of type and data.
public struct PNGImage: Sendable, Equatable {
    public enum Colour: Sendable, Equatable {
        case greyscale, rgb
        /// Bytes per pixel.
        public var channels: Int { self == .greyscale ? 1 : 3 }
        /// The PNG colour type byte.
        var pngColourType: UInt8 { self == .greyscale ? 0 : 2 }
    }

    public let width: Int
    public let height: Int
    public let colour: Colour
    public var pixels: [UInt8]

    /// Throws `badInput` when a dimension is not positive (or exceeds PNG's 2³¹ − 1) or the pixel count does
    /// not match `width·height·channels`.
    public init(width: Int, height: Int, colour: Colour, pixels: [UInt8]) throws {
        guard width > 0, height > 0, width <= Int(Int32.max), height <= Int(Int32.max) else {
            throw GFEError.badInput(
                "PNG image: width and height must be between 1 and 2³¹ − 1, got \(width) × \(height).")
        }
        guard pixels.count == width * height * colour.channels else {
            throw GFEError.badInput(
                "PNG image: a \(width) × \(height) \(colour) image needs \(width * height * colour.channels) bytes, got \(pixels.count)."
            )
        }
        self.width = width
        self.height = height
        self.colour = colour
        self.pixels = pixels
    }

    /// A blank image filled with `value` in every channel.
    public init(width: Int, height: Int, colour: Colour, filledWith value: UInt8) throws {
        try self.init(
            width: width, height: height, colour: colour,
            pixels: [UInt8](repeating: value, count: max(0, width * height * colour.channels)))
    }

    /// The complete PNG file. `compressionLevel` is zlib's 0…9.
    public func encoded(compressionLevel: Int32 = 9) throws -> [UInt8] {
        var file: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

        var header: [UInt8] = []
        header.appendBigEndian(UInt32(width))
        header.appendBigEndian(UInt32(height))
        header += [8, colour.pngColourType, 0, 0, 0]  // bit depth, colour type, deflate, adaptive filters, no interlace
        PNGImage.appendChunk("IHDR", header, to: &file)

        PNGImage.appendChunk("IDAT", try zlibCompress(scanlines(), level: compressionLevel), to: &file)
        PNGImage.appendChunk("IEND", [], to: &file)
        return file
    }

    /// Rows prefixed by their filter byte (0 = None).
    private func scanlines() -> [UInt8] {
        let rowBytes = width * colour.channels
        var out = [UInt8]()
        out.reserveCapacity(height * (rowBytes + 1))
        for r in 0..<height {
            out.append(0)
            out += pixels[(r * rowBytes)..<((r + 1) * rowBytes)]
        }
        return out
    }

    private static func appendChunk(_ type: String, _ data: [UInt8], to file: inout [UInt8]) {
        let typeBytes = Array(type.utf8)
        file.appendBigEndian(UInt32(data.count))
        file += typeBytes
        file += data
        file.appendBigEndian(crc32(typeBytes + data))
    }

    /// CRC-32 (ISO 3309, the polynomial 0xEDB88320 reflected) as PNG requires, by zlib's `crc32`.
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBufferPointer { buffer in
            UInt32(CZlib.crc32(0, buffer.baseAddress, uInt(buffer.count)))
        }
    }

    private func zlibCompress(_ input: [UInt8], level: Int32) throws -> [UInt8] {
        var capacity = compressBound(uLong(input.count))
        var output = [UInt8](repeating: 0, count: Int(capacity))
        let status = output.withUnsafeMutableBufferPointer { out in
            input.withUnsafeBufferPointer { inp in
                compress2(out.baseAddress, &capacity, inp.baseAddress, uLong(inp.count), level)
            }
        }
        guard status == Z_OK else {
            throw GFEError.runFailure("zlib could not compress a PNG image (compress2 returned \(status)).")
        }
        output.removeSubrange(Int(capacity)...)
        return output
    }
}

extension Array where Element == UInt8 {
    mutating func appendBigEndian(_ value: UInt32) {
        append(UInt8(truncatingIfNeeded: value >> 24))
        append(UInt8(truncatingIfNeeded: value >> 16))
        append(UInt8(truncatingIfNeeded: value >> 8))
        append(UInt8(truncatingIfNeeded: value))
    }
}
