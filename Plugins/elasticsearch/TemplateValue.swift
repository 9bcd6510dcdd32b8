import Foundation

/// A JSON value from the configuration (the query template), kept as a tree
/// so the record's query text is put in as a JSON string value — never
/// pasted into JSON text.
indirect enum TemplateValue: Decodable, Sendable {
    case string(String)
    case integer(Int64)
    case number(Double)
    case bool(Bool)
    case null
    case array([TemplateValue])
    /// Members in source order.
    case object([(String, TemplateValue)])

    /// The string that stands for the record's query text.
    static let placeholder = "{{query}}"

    init(from decoder: any Decoder) throws {
        if let container = try? decoder.container(keyedBy: AnyKey.self) {
            self = .object(try container.allKeys.map { ($0.stringValue, try container.decode(TemplateValue.self, forKey: $0)) })
            return
        }
        if var container = try? decoder.unkeyedContainer() {
            var items: [TemplateValue] = []
            while !container.isAtEnd { items.append(try container.decode(TemplateValue.self)) }
            self = .array(items)
            return
        }
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let flag = try? container.decode(Bool.self) {
            self = .bool(flag)
        } else if let integer = try? container.decode(Int64.self) {
            self = .integer(integer)
        } else if let number = try? container.decode(Double.self) {
            self = .number(number)
        } else {
            self = .string(try container.decode(String.self))
        }
    }

    /// Whether this is a JSON object.
    var isObject: Bool {
        if case .object = self { return true }
        return false
    }

    /// The value as a JSONSerialization tree, with every string exactly equal
    /// to ``placeholder`` replaced by `query`.
    func jsonObject(substituting query: String) -> Any {
        switch self {
        case .string(let text): text == TemplateValue.placeholder ? query : text
        case .integer(let value): NSNumber(value: value)
        case .number(let value): NSNumber(value: value)
        case .bool(let flag): flag
        case .null: NSNull()
        case .array(let items): items.map { $0.jsonObject(substituting: query) }
        case .object(let members):
            Dictionary(members.map { ($0.0, $0.1.jsonObject(substituting: query)) }, uniquingKeysWith: { $1 })
        }
    }
}
