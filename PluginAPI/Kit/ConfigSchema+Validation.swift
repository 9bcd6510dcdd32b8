extension ConfigSchema {
    /// The first way `value` (an agent's whole `config:`) breaks this schema,
    /// in document order, or nil when it matches. The value of a secret key
    /// (`writeOnly`, or named like a secret) is never repeated.
    public func violation(in value: JSONValue) -> ConfigSchemaViolation? {
        violation(in: value, at: "", secret: isSecret)
    }

    private func violation(in value: JSONValue, at path: String, secret: Bool) -> ConfigSchemaViolation? {
        func refused() -> ConfigSchemaViolation {
            ConfigSchemaViolation(path: path, expected: expectation, found: secret ? nil : FoundValueText.describe(value))
        }
        if !types.isEmpty, !types.contains(where: { Self.value(value, is: $0) }) { return refused() }
        if let allowedValues, !allowedValues.contains(value) { return refused() }
        switch value {
        case .number(let text):
            guard let number = Double(text) else { return refused() }
            if let minimum, let bound = Double(minimum), number < bound { return refused() }
            if let maximum, let bound = Double(maximum), number > bound { return refused() }
            if let exclusiveMinimum, let bound = Double(exclusiveMinimum), number <= bound { return refused() }
            if let exclusiveMaximum, let bound = Double(exclusiveMaximum), number >= bound { return refused() }
        case .string(let text):
            let length = text.unicodeScalars.count
            if let minLength, length < minLength { return refused() }
            if let maxLength, length > maxLength { return refused() }
        case .array(let elements):
            if let minItems, elements.count < minItems { return refused() }
            if let maxItems, elements.count > maxItems { return refused() }
            if let items {
                for (index, element) in elements.enumerated() {
                    if let problem = items.violation(in: element, at: "\(path)[\(index)]", secret: secret || items.isSecret) {
                        return problem
                    }
                }
            }
        case .object(let members):
            return objectViolation(members, at: path, secret: secret)
        case .bool, .null:
            break
        }
        return nil
    }

    private func objectViolation(_ members: [(key: String, value: JSONValue)], at path: String,
                                 secret: Bool) -> ConfigSchemaViolation? {
        let known = properties.map(\.name)
        if !additionalProperties, let unknown = members.first(where: { !known.contains($0.key) }) {
            let wording = UnknownKeyWording(key: unknown.key, known: known)
            return ConfigSchemaViolation(path: Self.join(path, unknown.key), expected: wording.expected, found: wording.found)
        }
        for (key, value) in members {
            guard let schema = property(key) else { continue }
            let keySecret = secret || schema.isSecret || SecretRedaction.isSecretKey(key)
            if let problem = schema.violation(in: value, at: Self.join(path, key), secret: keySecret) { return problem }
        }
        for name in required where !members.contains(where: { $0.key == name }) {
            let expected = property(name)?.expectation ?? "a value"
            return ConfigSchemaViolation(path: Self.join(path, name), expected: expected + " (required)", found: "nothing")
        }
        return nil
    }

    /// `value` with the `default` of every absent key filled in, at any depth.
    public func applyingDefaults(to value: JSONValue) -> JSONValue {
        switch value {
        case .object(var members):
            for index in members.indices {
                if let schema = property(members[index].key) {
                    members[index].value = schema.applyingDefaults(to: members[index].value)
                }
            }
            for property in properties where !members.contains(where: { $0.key == property.name }) {
                if let fallback = property.schema.defaultValue {
                    members.append((key: property.name, value: property.schema.applyingDefaults(to: fallback)))
                }
            }
            return .object(members)
        case .array(let elements):
            guard let items else { return value }
            return .array(elements.map { items.applyingDefaults(to: $0) })
        default:
            return value
        }
    }

    /// Whether `value` is of JSON type `type` (an integer is a number too).
    static func value(_ value: JSONValue, is type: ValueType) -> Bool {
        switch (type, value) {
        case (.object, .object), (.string, .string), (.boolean, .bool), (.array, .array), (.null, .null),
             (.number, .number): true
        case (.integer, .number(let text)): !text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" })
        default: false
        }
    }

    /// `parent.child`, or `child` at the top.
    static func join(_ parent: String, _ child: String) -> String {
        parent.isEmpty ? child : parent + "." + child
    }
}
