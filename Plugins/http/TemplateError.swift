import SluicePluginKit

/// A record lacks what a template needs (the record is dead-lettered with this reason).
enum TemplateError: Error, Equatable, CustomStringConvertible {
    /// No value at the field's dotted path.
    case missingField(String)
    /// The record value is valid JSON but not an object; carries what it is instead (`an array`).
    case notAnObject(found: String)
    /// A field used in the URL path is the empty string (a segment needs a value).
    case emptyPathValue(String)
    /// A field used in the URL path is null (a segment needs a value).
    case nullPathValue(String)

    var description: String {
        switch self {
        case .missingField(let name): "the record has no field '\(name)'"
        case .notAnObject(let found): "the record value is \(found), not a JSON object"
        case .emptyPathValue(let name): "the URL path field '\(name)' is empty (a path segment needs a value)"
        case .nullPathValue(let name): "the URL path field '\(name)' is null (a path segment needs a value)"
        }
    }
}
