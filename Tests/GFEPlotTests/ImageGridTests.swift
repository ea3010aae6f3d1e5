import Testing

@testable import GFEPlot

@Suite("Image grids")
struct ImageGridTests {
    /// 3 × 2-pixel images (width 3, height 2) of constant intensity.
    private func constant(_ v: Float) -> [Float] { Array(repeating: v, count: 6) }

    @Test("Cells, gaps and margins land where laid out by hand")
    func gridLayout() throws {
        let grid = ImageGrid(imageWidth: 3, imageHeight: 2, gap: 1, margin: 1, scale: 1, background: 200)
        // Three images on a 2 × 2 grid: bytes 0, round(127.5) = 128, 255; the fourth cell stays background.
        let image = try grid.render([constant(0), constant(0.5), constant(1)], rows: 2, columns: 2)
        #expect(image.width == 9 && image.height == 7 && image.colour == .greyscale)
        // swift-format-ignore: AlwaysUseLowerCamelCase
        let B: UInt8 = 200  // one letter keeps the pixel grid below readable
        let expected: [UInt8] = [
            B, B, B, B, B, B, B, B, B,
            B, 0, 0, 0, B, 128, 128, 128, B,
            B, 0, 0, 0, B, 128, 128, 128, B,
            B, B, B, B, B, B, B, B, B,
            B, 255, 255, 255, B, B, B, B, B,
            B, 255, 255, 255, B, B, B, B, B,
            B, B, B, B, B, B, B, B, B
        ]
        #expect(image.pixels == expected)
    }

    @Test("Pixels inside an image keep their row-major order; clamping, NaN and inversion")
    func pixelOrderAndMapping() throws {
        let grid = ImageGrid(imageWidth: 3, imageHeight: 2, gap: 0, margin: 0, scale: 1)
        let values: [Double] = [0, 0.2, 0.4, 1.5, -1, .nan]
        let image = try grid.render([values], rows: 1, columns: 1)
        #expect(image.pixels == [0, 51, 102, 255, 0, 0])
        var inverted = grid
        inverted.invert = true
        #expect(try inverted.render([values], rows: 1, columns: 1).pixels == [255, 204, 153, 0, 255, 255])
    }

    @Test("Scaling replicates every pixel scale × scale times")
    func scaling() throws {
        let grid = ImageGrid(imageWidth: 2, imageHeight: 1, gap: 0, margin: 0, scale: 2)
        let image = try grid.render([[0.0, 1.0]], rows: 1, columns: 1)
        #expect(image.width == 4 && image.height == 2)
        #expect(image.pixels == [0, 0, 255, 255, 0, 0, 255, 255])
    }

    @Test("Reconstructions sit in the row below their originals; pairs of rows are separated by the pair gap")
    func reconstructionLayout() throws {
        let grid = ImageGrid(imageWidth: 1, imageHeight: 1, gap: 1, margin: 0, pairGap: 2, scale: 1, background: 9)
        // Three originals (bytes 10, 20, 30 ≈ v/255) with reconstructions (40, 50, 60) in two columns.
        let originals: [[Double]] = [[10.0 / 255], [20.0 / 255], [30.0 / 255]]
        let reconstructed: [[Double]] = [[40.0 / 255], [50.0 / 255], [60.0 / 255]]
        let image = try grid.reconstructions(originals: originals, reconstructed: reconstructed, columns: 2)
        // Width 1 + 1 + 1 = 3. Rows: pair 0 at y 0 and 2; pair 1 at y 0 + 2·(1 + 1) + 2 = 6 and 8. Height 9.
        #expect(image.width == 3 && image.height == 9)
        // swift-format-ignore: AlwaysUseLowerCamelCase
        let B: UInt8 = 9
        #expect(
            image.pixels == [
                10, B, 20,
                B, B, B,
                40, B, 50,
                B, B, B,
                B, B, B,
                B, B, B,
                30, B, B,
                B, B, B,
                60, B, B
            ])
    }

    @Test("Bad input is a clear error")
    func badInput() {
        let grid = ImageGrid()
        #expect(throws: (any Error).self) { try grid.render([[Float](repeating: 0, count: 10)], rows: 1, columns: 1) }
        #expect(throws: (any Error).self) { try grid.render([[Float]](repeating: [], count: 5), rows: 2, columns: 2) }
        #expect(throws: (any Error).self) {
            try grid.reconstructions(originals: [[Float](repeating: 0, count: 784)], reconstructed: [], columns: 4)
        }
    }
}
