import SluicePluginKit

/// A string with `{field}` placeholders (`{customer.email}` for nested
/// fields; `{{` and `}}` for literal braces), parsed once from the configuration.
struct FieldTemplate: Sendable, Equatable {
    /// One piece of the template.
    enum Part: Sendable, Equatable {
        case literal(String)
        case field(String)
    }

    let parts: [Part]

    /// Parses `text`; a `{` not closed by a `}` on a field name stays literal.
    init(_ text: String) {
        var parts: [Part] = []
        var literal = ""
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            let next = text.index(after: index)
            if character == "{", next < text.endIndex, text[next] == "{" {
                literal.append("{"); index = text.index(after: next); continue
            }
            if character == "}", next < text.endIndex, text[next] == "}" {
                literal.append("}"); index = text.index(after: next); continue
            }
            if character == "{", let close = text[next...].firstIndex(of: "}") {
                let name = String(text[next..<close])
                if !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." || $0 == "-" }) {
                    if !literal.isEmpty { parts.append(.literal(literal)); literal = "" }
                    parts.append(.field(name))
                    index = text.index(after: close)
                    continue
                }
            }
            literal.append(character)
            index = next
        }
        if !literal.isEmpty { parts.append(.literal(literal)) }
        self.parts = parts
    }

    /// The field when the template is exactly one placeholder (its value keeps its JSON type).
    var soleField: String? {
        if parts.count == 1, case .field(let name) = parts[0] { return name }
        return nil
    }

    /// The field names the template uses.
    var fields: [String] { parts.compactMap { if case .field(let name) = $0 { name } else { nil } } }

    /// The text when the template has no field (`{{` and `}}` already made single braces).
    var constantText: String? {
        var text = ""
        for part in parts {
            guard case .literal(let literal) = part else { return nil }
            text += literal
        }
        return text
    }

    /// The text with each field's value (``JSONValue/templateText``, passed through `escape`).
    func render(_ record: JSONValue, escape: (String) -> String = { $0 }) throws(TemplateError) -> String {
        var output = ""
        for part in parts {
            switch part {
            case .literal(let text): output += text
            case .field(let name): output += escape(try record.field(name).templateText)
            }
        }
        return output
    }
}
