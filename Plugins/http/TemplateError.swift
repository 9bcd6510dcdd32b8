import SluicePluginKit

/// A record lacks what a template needs (the record is dead-lettered with this reason).
enum TemplateError: Error, Equatable, CustomStringConvertible {
    /// No value at the field's dotted path.
    case missingField(String)
    /// The record value is valid JSON but not an object; carries what it is instead (`an array`).
    case notAnObject(found: String)

    var description: String {
        switch self {
        case .missingField(let name): "the record has no field '\(name)'"
        case .notAnObject(let found): "the record value is \(found), not a JSON object"
        }
    }
}
