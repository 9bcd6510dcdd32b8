extension ConfigSchema {
    /// The schema as JSON Schema text, keywords in a fixed order (what the SDK
    /// puts in the descriptor's `config_schema`).
    public var jsonText: String { jsonValue.jsonText }

    /// The schema as a JSON value.
    public var jsonValue: JSONValue {
        var members: [(key: String, value: JSONValue)] = []
        func add(_ key: String, _ value: JSONValue?) { if let value { members.append((key, value)) } }
        func number(_ text: String?) -> JSONValue? { text.map(JSONValue.number) }
        func count(_ value: Int?) -> JSONValue? { value.map { .number(String($0)) } }
        switch types.count {
        case 0: break
        case 1: add("type", .string(types[0].rawValue))
        default: add("type", .array(types.map { .string($0.rawValue) }))
        }
        add("description", summary.map(JSONValue.string))
        add("enum", allowedValues.map(JSONValue.array))
        add("minimum", number(minimum))
        add("exclusiveMinimum", number(exclusiveMinimum))
        add("maximum", number(maximum))
        add("exclusiveMaximum", number(exclusiveMaximum))
        add("minLength", count(minLength))
        add("maxLength", count(maxLength))
        add("minItems", count(minItems))
        add("maxItems", count(maxItems))
        add("items", items?.jsonValue)
        add("default", defaultValue)
        if isSecret { add("writeOnly", .bool(true)) }
        if !properties.isEmpty {
            add("properties", .object(properties.map { (key: $0.name, value: $0.schema.jsonValue) }))
        }
        if !required.isEmpty { add("required", .array(required.map(JSONValue.string))) }
        if !additionalProperties { add("additionalProperties", .bool(false)) }
        return .object(members)
    }
}
