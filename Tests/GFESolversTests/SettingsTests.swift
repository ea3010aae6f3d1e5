import Foundation
import GFECore
import Testing

@testable import GFESolvers

@Suite struct SettingsTests {
    static func decode(_ json: String) throws -> EncoderSettings {
        try SettingsDecoding.decode(EncoderSettings.self, json)
    }
    static func message(_ json: String) -> String? { SettingsDecoding.message(EncoderSettings.self, json) }

    @Test func amdPresetsCarryTheSpecConstants() throws {
        guard case .amd(let o) = try Self.decode(#"{"method": "amd"}"#) else {
            Issue.record("not AMD")
            return
        }
        #expect(o.preset == .official && o.beta == 0.5 && o.maxReductions == 20 && o.initialPoint == .uniform)
        #expect(o.tau == 1e4 && o.initialStep == 1 && o.maxStep == 10 && o.kappa == 1.1 && o.sigma == 1e-5)
        #expect(o.jump == 10 && o.window == 5 && o.threshold == 1e-5 && o.startFraction == 0.98)
        #expect(o.stepControl == .batch && o.maxAttempts == nil && o.record == AMDRecording.none)
        #expect(o.forcedAcceptBelow == 1.0 / 1_048_576)
        guard case .amd(let p) = try Self.decode(#"{"method": "amd", "preset": "paper", "kappa": 1.2}"#) else {
            Issue.record("not AMD")
            return
        }
        #expect(p.beta == 0.75 && p.maxReductions == 48 && p.initialPoint == .zeros && p.kappa == 1.2)
        #expect(
            p
                == {
                    var s = AMDSettings.paper
                    s.kappa = 1.2
                    return s
                }())
    }

    @Test func fixedGridAndOneStepDefaults() throws {
        guard case .fixedGrid(let f) = try Self.decode(#"{"method": "fixedGrid"}"#) else {
            Issue.record("not fixed grid")
            return
        }
        #expect(f.dynamics == .gradientFlow && f.grid == .log && f.points == 100 && f.tau == 1.5e4)
        #expect(f.logBase == 4 && f.scaling == .exp && f.epsilon == 1e-5 && !f.recordTrajectory)
        guard case .oneStep(let s) = try Self.decode(#"{"method": "oneStep"}"#) else {
            Issue.record("not one-step")
            return
        }
        #expect(s.eta == 1 && s.initialPoint == .zeros)
    }

    @Test(arguments: [
        EncoderSettings.amd(
            {
                var s = AMDSettings.paper
                s.maxAttempts = 99
                s.stepControl = .sample
                s.record = .full
                return s
            }()),
        .amd(.official),
        .fixedGrid(
            {
                var s = FixedGridSettings(dynamics: .nesterov)
                s.grid = .linear
                s.points = 7
                return s
            }()),
        .oneStep(OneStepSettings(eta: 0.25, initialPoint: .uniform))
    ])
    func roundTrip(settings: EncoderSettings) throws {
        let data = try JSONEncoder().encode(settings)
        #expect(try JSONDecoder().decode(EncoderSettings.self, from: data) == settings)
    }

    @Test func badInputNamesTheField() {
        #expect(Self.message(#"{"method": "amd", "tua": 5}"#)?.contains("unknown field 'tua'") == true)
        #expect(Self.message(#"{"method": "amd", "beta": 1.5}"#)?.contains("'beta'") == true)
        #expect(Self.message(#"{"method": "amd", "beta": "half"}"#)?.contains("'beta' must be a number") == true)
        #expect(Self.message(#"{"method": "amd", "stepControl": "group"}"#)?.contains("'batch', 'sample'") == true)
        #expect(Self.message(#"{"method": "amd", "window": 3}"#)?.contains("'window'") == true)
        #expect(Self.message(#"{"method": "rk45"}"#)?.contains("'method'") == true)
        #expect(Self.message(#"{"preset": "official"}"#)?.contains("'method' is missing") == true)
        #expect(Self.message(#"{"method": "fixedGrid", "points": 1}"#)?.contains("'points'") == true)
        #expect(Self.message(#"[1, 2]"#)?.contains("expected an object") == true)
    }

    /// An encoder nested in a larger document, as a training config holds it.
    struct Nested: Decodable { var encoder: EncoderSettings }

    @Test func misspeltNamesCarryTheirOwnSuggestion() throws {
        #expect(
            Self.message(#"{"method": "amd", "tua": 5}"#)?.hasPrefix(
                #"AMD settings: unknown field 'tua' (did you mean "tau"?); allowed fields are 'preset', 'tau', "#)
                == true)
        #expect(
            Self.message(#"{"method": "amd", "preset": "paperr"}"#)
                == #"AMD settings: field 'preset' is 'paperr' (did you mean "paper"?); expected one of 'official', 'paper'"#
        )
        #expect(
            Self.message(#"{"method": "fixedGrid", "grid": "lin"}"#)?.contains(#"(did you mean "linear"?)"#) == true)
        #expect(
            Self.message(#"{"method": "oneStp"}"#)
                == #"encoder settings: field 'method' is 'oneStp' (did you mean "oneStep"?); expected one of 'amd', 'fixedGrid', 'oneStep', 'adam', 'gd'"#
        )
        // Nested: the field is named by its path from the document's root.
        let nested: String
        do {
            _ = try JSONDecoder().decode(Nested.self, from: Data(#"{"encoder": {"method": "amd", "tua": 5}}"#.utf8))
            nested = ""
        } catch let e as GFEError { nested = e.message }
        #expect(
            nested.hasPrefix(
                #"AMD settings: unknown field 'encoder.tua' (did you mean "tau"?); allowed fields of 'encoder' are "#),
            "\(nested)")
        // null is not a silent default: the field is named, and leaving it out is the way to the default.
        #expect(
            Self.message(#"{"method": "amd", "tau": null}"#)
                == "AMD settings: field 'tau' is null; it must be a number, or left out for its default")
    }
}
