import Foundation
import SluicePluginKit

/// The request URL template: a ``FieldTemplate`` whose placeholders are
/// substituted percent-encoded. A placeholder before the template's first
/// `?` or `#` is in the path and becomes exactly one path segment: its value
/// must not be empty or null, and a value made only of dots (`.`, `..`) is
/// encoded as `%2E`s so that neither the client nor the server reads it as
/// "this segment" or "the parent segment".
struct URLTemplate: Sendable, Equatable {
    let template: FieldTemplate

    /// Characters a substituted value keeps; everything else is
    /// percent-encoded (UTF-8), so a value cannot add a segment, a query or a fragment.
    private static let unreserved = CharacterSet(charactersIn:
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")

    init(_ text: String) {
        template = FieldTemplate(text)
    }

    /// The field names the template uses.
    var fields: [String] { template.fields }

    /// The first field placed before the path starts (in the user, host or
    /// port), or nil: the server a request goes to is the configuration's alone.
    var fieldInAuthority: String? {
        var text = ""
        for part in template.parts {
            switch part {
            case .literal(let literal):
                text += literal
            case .field(let name):
                guard let scheme = text.range(of: "://") else { return name }
                if !text[scheme.upperBound...].contains(where: { $0 == "/" || $0 == "?" || $0 == "#" }) { return name }
                return nil
            }
        }
        return nil
    }

    /// The URL for `record`: each field's text percent-encoded, path fields checked.
    func render(_ record: JSONValue) throws(TemplateError) -> String {
        var output = ""
        var inPath = true
        for part in template.parts {
            switch part {
            case .literal(let text):
                output += text
                if text.contains(where: { $0 == "?" || $0 == "#" }) { inPath = false }
            case .field(let name):
                let value = try record.field(name)
                output += try inPath ? Self.pathSegment(value, field: name) : Self.encoded(value.templateText)
            }
        }
        return output
    }

    /// The URL when the template has no fields (nothing to substitute).
    func renderConstant() throws(TemplateError) -> String {
        try render(.null)
    }

    /// `value` as the text of one path segment.
    private static func pathSegment(_ value: JSONValue, field: String) throws(TemplateError) -> String {
        if case .null = value { throw .nullPathValue(field) }
        let text = value.templateText
        guard !text.isEmpty else { throw .emptyPathValue(field) }
        // `.` and `..` are unreserved, yet as a whole segment they mean "here" and "up".
        if text.allSatisfy({ $0 == "." }) { return String(repeating: "%2E", count: text.count) }
        return encoded(text)
    }

    /// `text` with everything but unreserved characters percent-encoded.
    static func encoded(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }
}
