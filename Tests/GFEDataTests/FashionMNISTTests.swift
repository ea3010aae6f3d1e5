import Foundation
import Testing

@testable import GFEData

/// FashionMNIST from Debian's `dataset-fashion-mnist`, when installed. Reference values: 6,000 training and
/// 1,000 test images per class (Zalando's description), and a Python decode of the same files.
@Suite(
    .enabled(
        if: TestFiles.fashionInstalled,
        "FashionMNIST not installed (/usr/share/datasets/fashion-mnist): apt-get install dataset-fashion-mnist"))
struct FashionMNISTTests {
    @Test func filesValidateAndSplitsHaveTheMNISTSizes() throws {
        let d = try Dataset.load(.fashionMNIST, locator: TestFiles.referenceLocator)
        #expect(d.trainImages.path == TestFiles.fashionFolder + "/train-images-idx3-ubyte.gz")
        #expect(try d.split(.train, seed: 0).count == 49_992)
        #expect(try d.split(.validation, seed: 0).count == 8)
        #expect(try d.split(.holdout, seed: 0).count == 10_000)
        let test = try d.split(.test, seed: 0)
        #expect(test.count == 10_000)
        #expect(test.labelCounts == [Int](repeating: 1_000, count: 10))
        var all = [Int](repeating: 0, count: 10)
        for i in 0..<60_000 { all[Int(d.trainLabels.label(i))] += 1 }
        #expect(all == [Int](repeating: 6_000, count: 10))
        // Python: training image 0 is label 9 with byte sum 76247; test image 0 label 9, sum 33456.
        #expect(d.trainLabels.label(0) == 9)
        #expect(d.trainImages.item(0).reduce(0) { $0 + Int($1) } == 76_247)
        #expect(test.labels?[0] == 9)
        #expect(test.samples.sample(0, as: Double.self).reduce(0) { $0 + Int(($1 * 255).rounded()) } == 33_456)
        #expect(d.fingerprint.hasPrefix("fashion_mnist/split-v1/c59f468a"))
    }
}
