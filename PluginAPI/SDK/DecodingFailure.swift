import Foundation
import SluicePluginKit

/// Turns a decoding error into one readable line that names what failed, for
/// dead-letter reasons and configuration errors.
enum DecodingFailure {
    /// E.g. `missing key 'user_id'`, `key 'quantity': expected Int, found a string`,
    /// `malformed JSON: Invalid value around character 7.` (Foundation's
    /// decoder, `json` the text it read) or `malformed JSON at byte 7:
    /// expected a value` (``RecordDecoder``, whose error says where).
    static func describe(_ error: any Error, json: Data?) -> String {
        guard let error = error as? DecodingError else { return String(describing: error) }
        switch error {
        case .keyNotFound(let key, let context):
            return "missing key '\(path(context.codingPath + [key]))'"
        case .typeMismatch(let type, let context):
            return "\(subject(context)): expected \(type), \(detail(context.debugDescription))"
        case .valueNotFound(let type, let context):
            return "\(subject(context)): expected \(type), found null"
        case .dataCorrupted(let context):
            if let syntax = context.underlyingError as? JSONSyntaxError { return syntax.description }
            if context.codingPath.isEmpty {
                return "malformed JSON: \((json.flatMap(syntaxProblem(in:))) ?? context.debugDescription)"
            }
            return "\(subject(context)): \(context.debugDescription)"
        @unknown default:
            return String(describing: error)
        }
    }

    private static func subject(_ context: DecodingError.Context) -> String {
        context.codingPath.isEmpty ? "top-level value" : "key '\(path(context.codingPath))'"
    }

    /// Foundation says "Expected to decode Int but found a string instead.";
    /// keep the "found ..." part.
    private static func detail(_ text: String) -> String {
        if let range = text.range(of: "but found ") {
            var found = String(text[range.upperBound...])
            if found.hasSuffix(" instead.") { found.removeLast(" instead.".count) }
            return "found " + found
        }
        return text
    }

    /// `items[2].price`.
    static func path(_ keys: [any CodingKey]) -> String {
        var text = ""
        for key in keys {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                if !text.isEmpty { text += "." }
                text += key.stringValue
            }
        }
        return text
    }

    /// JSONDecoder only says "not valid JSON"; JSONSerialization says where.
    private static func syntaxProblem(in json: Data) -> String? {
        do {
            _ = try JSONSerialization.jsonObject(with: json, options: [.fragmentsAllowed])
            return nil
        } catch {
            return (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String
        }
    }
}
