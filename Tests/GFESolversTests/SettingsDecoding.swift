import Foundation
import GFECore

/// Decoding settings from JSON text as a spec's reader would, for the settings tests.
enum SettingsDecoding {
    static func decode<S: Decodable>(_ type: S.Type, _ json: String) throws -> S {
        try JSONDecoder().decode(S.self, from: Data(json.utf8))
    }

    /// The `GFEError` message decoding `json` gives, or nil when it decodes.
    static func message<S: Decodable>(_ type: S.Type, _ json: String) -> String? {
        do {
            _ = try decode(type, json)
            return nil
        } catch let e as GFEError { return e.message } catch {
            return "not a GFEError: \(error)"
        }
    }
}
