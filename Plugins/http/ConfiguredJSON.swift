import SluicePluginKit

/// A JSON value from the agent's configuration (the `body` template), read
/// through `Decodable` into PluginKit's ``JSONValue`` so PluginKit stays free
/// of Codable.
///
/// The host hands the configuration over as JSON text it wrote from YAML:
/// integers arrive as integers (kept digit for digit), other numbers as the
/// shortest text of their `Double`; object members arrive without an order
/// (``BodyTemplate`` writes them sorted by key).
struct ConfiguredJSON: Decodable, Sendable {
    let value: JSONValue

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            value = .null
        } else if let flag = try? container.decode(Bool.self) {
            value = .bool(flag)
        } else if let integer = try? container.decode(Int64.self) {
            value = .number(String(integer))
        } else if let number = try? container.decode(Double.self) {
            value = .number(JSONText.number(number))
        } else if let text = try? container.decode(String.self) {
            value = .string(text)
        } else if let items = try? container.decode([ConfiguredJSON].self) {
            value = .array(items.map(\.value))
        } else {
            let members = try container.decode([String: ConfiguredJSON].self)
            value = .object(members.map { (key: $0.key, value: $0.value.value) })
        }
    }
}
