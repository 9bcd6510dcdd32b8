import SluicePluginKit

/// How the templates read a record: fields by dotted path, values as text.
extension JSONValue {
    /// The value at `path` (`customer.email`; the last of duplicate keys wins).
    func field(_ path: String) throws(TemplateError) -> JSONValue {
        guard let value = value(atPath: path) else { throw .missingField(path) }
        return value
    }

    /// The value as text inside a larger string: a string as it is, anything
    /// else as its compact JSON (numbers exactly as the record wrote them).
    var templateText: String {
        stringValue ?? jsonText
    }

    /// What kind of value this is, for error messages (`an array`).
    var kindDescription: String {
        switch self {
        case .string: "a string"
        case .number: "a number"
        case .bool: "a boolean"
        case .null: "null"
        case .array: "an array"
        case .object: "an object"
        }
    }
}
