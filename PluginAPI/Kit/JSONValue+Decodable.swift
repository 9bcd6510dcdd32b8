/// A ``JSONValue`` read through `Decodable`: how a plugin takes a JSON value
/// from its configuration (the http plugin's `body` template).
///
/// The host hands a configuration over as JSON text it wrote from YAML:
/// integers arrive as integers (kept digit for digit), other numbers as the
/// shortest text of their `Double`; object members arrive without an order
/// (a decoder's keys are unordered), so a caller that writes them sorts them.
extension JSONValue: Decodable {
    /// Decodes any JSON value.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let flag = try? container.decode(Bool.self) {
            self = .bool(flag)
        } else if let integer = try? container.decode(Int64.self) {
            self = .number(String(integer))
        } else if let number = try? container.decode(Double.self) {
            self = .number(JSONText.number(number))
        } else if let text = try? container.decode(String.self) {
            self = .string(text)
        } else if let items = try? container.decode([JSONValue].self) {
            self = .array(items)
        } else {
            let members = try container.decode([String: JSONValue].self)
            self = .object(members.map { (key: $0.key, value: $0.value) })
        }
    }
}
