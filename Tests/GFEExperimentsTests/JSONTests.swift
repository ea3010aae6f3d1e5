import Foundation
import GFECore
import GFETraining
import Testing

@testable import GFEExperiments

@Suite("Spec JSON reading and writing")
struct JSONTests {
    /// Seeds written with an exponent or a decimal point are integers when they are exactly (decimal
    /// arithmetic: no Double rounding), and nothing else is.
    @Test func unsignedIntegersInAnyNotation() {
        let cases: [(String, UInt64?)] = [
            ("1e19", 10_000_000_000_000_000_000), ("2.5e3", 2500), ("20.0", 20), ("1E+2", 100),
            ("18446744073709551615", .max), ("1.8446744073709551615e19", .max), ("1.8446744073709551616e19", nil),
            ("2.5", nil), ("-1", nil), ("1e-2", nil), ("1e400", nil), ("0e0", 0)
        ]
        for (text, expected) in cases {
            #expect(JSONValue.number(text).uint64Value == expected, "\(text)")
        }
    }

    @Test func parsesEveryKindOfValue() throws {
        let v = try JSONParser.parse(
            #" {"s": "a\"b\\c\n\u00e9\ud83d\ude00", "n": -12.5e1, "t": true, "f": false, "z": null, "a": [1, [2], {}]} "#
        )
        guard case .object(let o) = v else {
            Issue.record("not an object")
            return
        }
        #expect(o.keys == ["s", "n", "t", "f", "z", "a"])  // file order kept
        #expect(o["s"] == .string("a\"b\\c\né😀"))
        #expect(o["n"]?.doubleValue == -125)
        #expect(o["t"] == .bool(true) && o["f"] == .bool(false) && o["z"] == .null)
        #expect(o["a"] == .array([JSONValue(1), .array([JSONValue(2)]), .object(JSONObject())]))
    }

    @Test func writtenTextReadsBackToTheSameValue() throws {
        let text = #"{"k": ["x\u0001y", 0.1, 1e-7, 123456789012, {"q": "\t"}]}"#
        let v = try JSONParser.parse(text)
        #expect(try JSONParser.parse(v.compactText) == v)
        #expect(try JSONParser.parse(v.canonicalText) == v)
        #expect(try JSONParser.parse(v.prettyText()) == v)
        // Foundation agrees with the compact form.
        let foundation = try JSONSerialization.jsonObject(with: Data(v.compactText.utf8)) as? [String: Any]
        #expect((foundation?["k"] as? [Any])?.first as? String == "x\u{1}y")
    }

    @Test func syntaxErrorsSayWhere() {
        let cases: [(String, String)] = [
            ("", "empty"), ("{\"a\": 1,\n \"b\": }", "line 2"), ("{'a': 1}", "double quotes"),
            ("{\"a\": 01}", "leading zeros"), ("[1, 2", "expected ',' or ']'"), ("{\"a\": tru}", "unexpected text"),
            ("{} x", "after the end"), ("{\"a\": 1 // note\n}", "comments are not allowed"), ("\"abc", "never closed")
        ]
        for (text, fragment) in cases {
            do {
                _ = try JSONParser.parse(text, source: "f.json")
                Issue.record("accepted: \(text)")
            } catch let e as ReportableError {
                #expect(e.message.hasPrefix("f.json: "), "\(e.message)")
                #expect(e.message.contains(fragment), "\(text): \(e.message)")
            } catch { Issue.record("\(error)") }
        }
    }

    @Test func configPathsGetAndSet() throws {
        let root = try JSONParser.parse(#"{"encoder": {"tau": 5}, "seed": 1}"#)
        let p = try ConfigPath(parsing: "encoder.beta", what: "t")
        let set = try p.setting(JSONValue(0.7), in: root, where: "t")
        #expect(set.canonicalText == #"{"encoder":{"beta":0.7,"tau":5},"seed":1}"#)
        let deep = try ConfigPath(parsing: "data.trainLimit", what: "t").setting(JSONValue(10), in: root, where: "t")
        #expect(deep.canonicalText == #"{"data":{"trainLimit":10},"encoder":{"tau":5},"seed":1}"#)
        #expect(throws: (any Error).self) {
            try ConfigPath(parsing: "seed.x", what: "t").setting(JSONValue(1), in: root, where: "t")
        }
        #expect(p.isWithin(try ConfigPath(parsing: "encoder", what: "t")))
        #expect(
            !(try ConfigPath(parsing: "encoderx", what: "t")).isWithin(try ConfigPath(parsing: "encoder", what: "t")))
    }

    @Test func locationsQuoteNonIdentifierKeys() {
        #expect(JSONPath.child("$.sweep.axes", "encoder.beta") == #"$.sweep.axes["encoder.beta"]"#)
        #expect(JSONPath.child("$", "base") == "$.base")
        #expect(JSONPath.index("$.seeds", 3) == "$.seeds[3]")
    }
}
