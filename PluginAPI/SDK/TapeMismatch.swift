import SluicePluginKit

/// Why a JSON value cannot be read as the type asked for, before the coding
/// path is known; ``decodingError(_:path:)`` makes the `DecodingError`
/// Foundation's decoder would throw.
enum TapeMismatch: Error {
    /// The value is of another kind (null included).
    case wrongKind(JSONSpan.Kind)
    /// A number that the type cannot hold (its text).
    case notRepresentable(String)

    func decodingError(_ type: Any.Type, path: [any CodingKey]) -> DecodingError {
        switch self {
        case .wrongKind(.null):
            return .valueNotFound(type, DecodingError.Context(
                codingPath: path, debugDescription: "Cannot get value of type \(type) -- found null value instead"))
        case .wrongKind(let kind):
            return .typeMismatch(type, DecodingError.Context(
                codingPath: path, debugDescription: "Expected to decode \(type) but found \(Self.describe(kind)) instead."))
        case .notRepresentable(let text):
            return .dataCorrupted(DecodingError.Context(
                codingPath: path, debugDescription: "Parsed JSON number <\(text)> does not fit in \(type)."))
        }
    }

    /// "a string", "an object", ... as a reason reads.
    static func describe(_ kind: JSONSpan.Kind) -> String {
        switch kind {
        case .string: "a string"
        case .number: "a number"
        case .bool: "a boolean"
        case .null: "null"
        case .array: "an array"
        case .object: "an object"
        }
    }
}
