import Foundation
import GFECore
import GFETestSupport
import GFETraining
import Testing

@testable import GFEExperiments

/// Configurations go from a spec's parsed JSON to typed values and back without text: the results must be
/// what Foundation's JSONDecoder and JSONEncoder give through text, or run ids and run.json would change.
@Suite struct JSONValueCodingTests {
    /// Every run of every committed spec: the typed decoding equals JSONDecoder's of the same text, and the
    /// resolved JSON equals JSONEncoder's text parsed, number text and all.
    @Test func committedSpecsResolveAsThroughText() throws {
        let folder = TestPaths.repositoryRoot + "/experiments"
        let specs = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".json") }
        #expect(specs.count >= 10)
        var runs = 0
        for name in specs.sorted() {
            let experiment = try ResolvedExperiment(spec: try ExperimentSpec.load(folder + "/" + name))
            for point in experiment.points {
                let viaText = try TrainingConfig.decode(json: Data(point.input.compactText.utf8))
                #expect(viaText == point.config, "\(name) run \(point.index)")
                let encodedViaText = try JSONParser.parse(try point.config.json(), source: "test").sortedRecursively
                #expect(point.resolved.prettyText() == encodedViaText.prettyText(), "\(name) run \(point.index)")
                runs += 1
            }
        }
        #expect(runs >= 20)
    }

    @Test func numbersAndNestedValuesRoundTrip() throws {
        struct Sample: Codable, Equatable {
            var d: Double
            var i: Int
            var u: UInt64
            var b: Bool
            var s: String
            var list: [Int]
            var nested: [String: [Double]]
            var absent: Int?
        }
        let sample = Sample(
            d: 1e-5, i: -3, u: UInt64.max, b: true, s: "a\"b", list: [1, 2], nested: ["x": [0.5, 10000]], absent: nil)
        let json = try JSONValueEncoder.encode(sample)
        #expect(
            json.canonicalText
                == #"{"b":true,"d":1e-05,"i":-3,"list":[1,2],"nested":{"x":[0.5,10000]},"s":"a\"b","u":18446744073709551615}"#
        )
        #expect(try JSONValueDecoder.decode(Sample.self, from: json) == sample)
        // Integral literals decode as integers whatever their spelling; others and wrong kinds do not.
        #expect(try JSONValueDecoder.decode(Int.self, from: .number("1e3")) == 1000)
        #expect(try JSONValueDecoder.decode(Int.self, from: .number("16.0")) == 16)
        #expect(throws: DecodingError.self) { try JSONValueDecoder.decode(Int.self, from: .number("16.5")) }
        #expect(throws: DecodingError.self) { try JSONValueDecoder.decode(Double.self, from: .number("1e400")) }
        #expect(throws: DecodingError.self) { try JSONValueDecoder.decode(UInt64.self, from: .number("-1")) }
        #expect(throws: DecodingError.self) { try JSONValueDecoder.decode(String.self, from: .number("1")) }
        #expect(throws: EncodingError.self) { try JSONValueEncoder.encode(Double.nan) }
    }
}
