import GFECore

/// Lays out small greyscale images (MNIST's 28 × 28) in a grid and returns it as an 8-bit greyscale PNG image.
///
/// Each image is a row-major array of `imageHeight·imageWidth` intensities; an intensity v becomes the byte
/// round(255·clamp(v, 0, 1)) (NaN becomes 0), or 255 minus that with `invert` (dark ink on white). Cells
/// are separated by `gap` background pixels and surrounded by a `margin`; the whole grid is then enlarged
/// `scale` times by pixel replication (no smoothing, so pixels stay visible).
public struct ImageGrid: Sendable {
    public var imageWidth: Int = 28
    public var imageHeight: Int = 28
    /// Background pixels between neighbouring cells.
    public var gap: Int = 2
    /// Background pixels around the grid.
    public var margin: Int = 2
    /// Extra background pixels between consecutive (originals, reconstructions) row pairs in
    /// `reconstructions(originals:reconstructed:columns:)`.
    public var pairGap: Int = 6
    /// Integer enlargement factor (nearest neighbour).
    public var scale: Int = 2
    /// The byte of gaps, margin and empty cells.
    public var background: UInt8 = 255
    /// Dark ink on a white page instead of MNIST's white on black.
    public var invert: Bool = false

    public init(
        imageWidth: Int = 28, imageHeight: Int = 28, gap: Int = 2, margin: Int = 2, pairGap: Int = 6,
        scale: Int = 2, background: UInt8 = 255, invert: Bool = false
    ) {
        self.imageWidth = imageWidth
        self.imageHeight = imageHeight
        self.gap = gap
        self.margin = margin
        self.pairGap = pairGap
        self.scale = scale
        self.background = background
        self.invert = invert
    }

    /// `images` in row-major cell order (image k in row k / columns, column k % columns) on a rows × columns
    /// grid; cells beyond the last image stay background. Cell (r, c) starts at pixel
    /// (margin + r·(imageHeight + gap), margin + c·(imageWidth + gap)) before scaling.
    public func render<T: BinaryFloatingPoint>(_ images: [[T]], rows: Int, columns: Int) throws -> PNGImage {
        let rowTops = (0..<max(rows, 0)).map { margin + $0 * (imageHeight + gap) }
        return try render(images, rows: rows, columns: columns, rowTops: rowTops)
    }

    /// Originals above their reconstructions: image i of both lists in column i % columns of row pair
    /// i / columns (originals row, then reconstructions row `gap` below it); consecutive pairs are
    /// separated by `gap + pairGap`.
    public func reconstructions<T: BinaryFloatingPoint>(
        originals: [[T]], reconstructed: [[T]], columns: Int
    ) throws -> PNGImage {
        guard originals.count == reconstructed.count, !originals.isEmpty else {
            throw GFEError.badInput(
                "Reconstruction grid: expected as many reconstructions as originals (at least one), got \(originals.count) originals and \(reconstructed.count) reconstructions."
            )
        }
        guard columns > 0 else {
            throw GFEError.badInput("Reconstruction grid: columns must be positive, got \(columns).")
        }
        let pairs = (originals.count + columns - 1) / columns
        var cells: [[T]] = []
        var rowTops: [Int] = []
        for p in 0..<pairs {
            let range = (p * columns)..<min(originals.count, (p + 1) * columns)
            let blank = columns - range.count
            cells += originals[range] + Array(repeating: [], count: blank)
            cells += reconstructed[range] + Array(repeating: [], count: blank)
            let top = margin + p * (2 * (imageHeight + gap) + pairGap)
            rowTops += [top, top + imageHeight + gap]
        }
        return try render(cells, rows: 2 * pairs, columns: columns, rowTops: rowTops)
    }

    /// An empty array in `images` is an empty cell.
    private func render<T: BinaryFloatingPoint>(_ images: [[T]], rows: Int, columns: Int, rowTops: [Int]) throws
        -> PNGImage
    {
        guard rows > 0, columns > 0, imageWidth > 0, imageHeight > 0, gap >= 0, margin >= 0, pairGap >= 0, scale >= 1
        else {
            throw GFEError.badInput(
                "Image grid: rows, columns, image size and scale must be positive and gaps non-negative (rows \(rows), columns \(columns), image \(imageWidth) × \(imageHeight), gap \(gap), margin \(margin), scale \(scale))."
            )
        }
        guard images.count <= rows * columns else {
            throw GFEError.badInput("Image grid: \(images.count) images do not fit in \(rows) × \(columns) cells.")
        }
        let pixelsPerImage = imageWidth * imageHeight
        if let bad = images.firstIndex(where: { !$0.isEmpty && $0.count != pixelsPerImage }) {
            throw GFEError.badInput(
                "Image grid: image \(bad) has \(images[bad].count) values, expected \(imageHeight) × \(imageWidth) = \(pixelsPerImage)."
            )
        }
        let width = 2 * margin + columns * imageWidth + (columns - 1) * gap
        let height = rowTops[rows - 1] + imageHeight + margin
        var canvas = [UInt8](repeating: background, count: width * height)
        for (k, image) in images.enumerated() where !image.isEmpty {
            let top = rowTops[k / columns]
            let left = margin + (k % columns) * (imageWidth + gap)
            for y in 0..<imageHeight {
                for x in 0..<imageWidth {
                    canvas[(top + y) * width + left + x] = byte(image[y * imageWidth + x])
                }
            }
        }
        return try PNGImage(
            width: width * scale, height: height * scale, colour: .greyscale,
            pixels: enlarged(canvas, width, height))
    }

    private func byte<T: BinaryFloatingPoint>(_ v: T) -> UInt8 {
        let d = Double(v)
        let clamped = d.isNaN ? 0 : min(max(d, 0), 1)
        let b = UInt8((255 * clamped).rounded())
        return invert ? 255 - b : b
    }

    private func enlarged(_ canvas: [UInt8], _ width: Int, _ height: Int) -> [UInt8] {
        guard scale > 1 else { return canvas }
        let w = width * scale
        var out = [UInt8](repeating: 0, count: w * height * scale)
        for y in 0..<(height * scale) {
            let source = (y / scale) * width
            for x in 0..<w { out[y * w + x] = canvas[source + x / scale] }
        }
        return out
    }
}
