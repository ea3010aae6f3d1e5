import GFECore

/// A tiny seeded stand-in for MNIST: `count` grey images of side × side uint8 pixels and labels in
/// 0..<classes. Each class is a fixed pair of strokes (drawn from the seed), each image that pair shifted by
/// up to ±2 pixels with random thickness and brightness, so images are mostly exact zeros with some
/// saturated 255s, like the real data. Same arguments ⇒ same bytes.
public struct SyntheticDigits: Sendable, Equatable {
    public let side: Int
    public let classes: Int
    /// Images one after another, row-major, count × side² bytes (the layout of an IDX image file body).
    public let pixels: [UInt8]
    public let labels: [UInt8]

    public var count: Int { labels.count }
    public var pixelsPerImage: Int { side * side }

    public init(count: Int, side: Int = 28, classes: Int = 10, seed: UInt64) {
        precondition(count >= 0 && side >= 4 && classes >= 1 && classes <= 256, "SyntheticDigits: bad shape")
        self.side = side
        self.classes = classes
        typealias Stroke = (x0: Double, y0: Double, x1: Double, y1: Double)
        let templates: [[Stroke]] = (0..<classes).map { c in
            var rng = RNG(seed: seed, stream: "synthetic-template-\(c)")
            let s = Double(side)
            func coordinate() -> Double { (0.2 + 0.6 * rng.nextDouble()) * s }
            return (0..<2).map { _ in (coordinate(), coordinate(), coordinate(), coordinate()) }
        }
        var rng = RNG(seed: seed, stream: "synthetic-images")
        var pixels = [UInt8](repeating: 0, count: count * side * side)
        var labels = [UInt8](repeating: 0, count: count)
        for i in 0..<count {
            let label = rng.below(classes)
            labels[i] = UInt8(label)
            let dx = rng.uniform(-2.0, 2.0)
            let dy = rng.uniform(-2.0, 2.0)
            let thickness = rng.uniform(1.0, 2.0)
            let brightness = rng.uniform(0.8, 1.4)
            for r in 0..<side {
                for c in 0..<side {
                    let (px, py) = (Double(c) - dx, Double(r) - dy)
                    var v = 0.0
                    for st in templates[label] {
                        let d = SyntheticDigits.distance(px, py, st.x0, st.y0, st.x1, st.y1)
                        v = max(v, brightness * max(0, 1 - d / thickness))
                    }
                    pixels[i * side * side + r * side + c] = UInt8((min(v, 1) * 255).rounded())
                }
            }
        }
        self.pixels = pixels
        self.labels = labels
    }

    /// The images as a count × side² matrix of pixel / 255 (SPEC §1's conversion).
    public func images<T: Scalar>(as: T.Type = T.self) -> Matrix<T> {
        Matrix(rows: count, cols: pixelsPerImage, storage: pixels.map { T($0) / 255 })
    }

    /// Distance from (px, py) to the segment (x0, y0)–(x1, y1).
    private static func distance(_ px: Double, _ py: Double, _ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double)
        -> Double
    {
        let (vx, vy) = (x1 - x0, y1 - y0)
        let len2 = vx * vx + vy * vy
        let t = len2 > 0 ? min(1, max(0, ((px - x0) * vx + (py - y0) * vy) / len2)) : 0
        let (qx, qy) = (x0 + t * vx - px, y0 + t * vy - py)
        return (qx * qx + qy * qy).squareRoot()
    }
}
