import Foundation
import GFECore
import GFESolvers

/// Encoder settings as the command line gives them: a method, an AMD preset, a z₀ rule and `key=value`
/// overrides of any settings field (`--set tau=5000 --set beta=0.75`). Everything is checked by the
/// settings' own strict decoding, so an unknown key or a bad value is reported exactly as in a spec file.
public struct EncoderOptions: Sendable, Equatable {
    /// An encoder method (`EncoderSettings.Method`): "amd", "fixedGrid", "oneStep", "adam" or "gd".
    public var method: String
    /// AMD only: "official" (default) or "paper".
    public var preset: String?
    /// "zeros" or "uniform" (AMD and one-step); nil keeps the preset's rule.
    public var initialPoint: String?
    /// "key=value" overrides; values are JSON scalars (numbers, true/false) or plain words.
    public var overrides: [String]

    public init(method: String = "amd", preset: String? = nil, initialPoint: String? = nil, overrides: [String] = []) {
        self.method = method
        self.preset = preset
        self.initialPoint = initialPoint
        self.overrides = overrides
    }

    /// The settings. `recordSummary` turns on AMD's per-group record of accepted times unless an override
    /// sets `record` itself.
    public func settings(recordSummary: Bool = false) throws -> EncoderSettings {
        let methods = EncoderSettings.Method.allCases.map(\.rawValue)
        guard methods.contains(method) else {
            throw GFEError.badInput(
                "--encoder '\(method)' is unknown\(didYouMean(method, among: methods)); expected one of "
                    + SettingsReader.quoted(methods))
        }
        var fields: [String: Any] = ["method": method]
        if let preset {
            guard method == "amd" else {
                throw GFEError.badInput("--preset applies to the AMD encoder only (the encoder is '\(method)')")
            }
            fields["preset"] = preset
        }
        if let initialPoint {
            guard method != "fixedGrid" else {
                throw GFEError.badInput(
                    "--z0 cannot be used with the fixed-grid encoder: its flow always starts at z = 0")
            }
            fields["initialPoint"] = initialPoint
        }
        for item in overrides {
            guard let eq = item.firstIndex(of: "="), eq != item.startIndex else {
                throw GFEError.badInput("--set '\(item)' is not of the form key=value (e.g. --set tau=5000)")
            }
            let key = String(item[..<eq]).trimmingCharacters(in: .whitespaces)
            let text = String(item[item.index(after: eq)...]).trimmingCharacters(in: .whitespaces)
            guard key != "method" else { throw GFEError.badInput("--set method=… is not allowed; use --encoder") }
            if let number = Double(text), !number.isFinite, !text.lowercased().contains("inf"),
                !text.lowercased().contains("nan")
            {
                throw GFEError.badInput("--set '\(item)': the number \(text) is too large for a number field")
            }
            fields[key] = Self.scalar(text)
        }
        if recordSummary && method == "amd" && fields["record"] == nil { fields["record"] = "summary" }
        let json = try JSONSerialization.data(withJSONObject: fields)
        do {
            return try JSONDecoder().decode(EncoderSettings.self, from: json)
        } catch let error as ReportableError {
            throw error
        } catch {
            throw GFEError.badInput("encoder options: \(error)")
        }
    }

    /// A JSON scalar when the text is one (5000, 1e-5, true, "x"), otherwise the text as a string.
    static func scalar(_ text: String) -> Any {
        if let data = text.data(using: .utf8),
            let v = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]),
            v is NSNumber || v is String
        {
            return v
        }
        return text
    }
}
