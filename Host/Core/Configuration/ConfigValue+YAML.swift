import Yams

extension ConfigValue {
    /// Converts a YAML node (a plugin's `config:`) into a JSON-compatible tree,
    /// following YAML's own typing: `8` is an integer, `"8"` a string, `yes` a
    /// boolean, `~` null. Keys must be scalars and unique; numbers must be finite.
    static func from(_ node: Node, file: String?, key: String) throws(ConfigurationError) -> ConfigValue {
        switch node {
        case .scalar(let scalar):
            switch node.resolvedTagName {
            case .null: return .null
            case .bool: return node.bool.map(ConfigValue.bool) ?? .string(scalar.string)
            case .int:
                if let integer = node.int { return .integer(Int64(integer)) }
                // Too large for 64 bits: keep the magnitude as a double.
                fallthrough
            case .float:
                guard let number = node.float, number.isFinite else {
                    throw ConfigurationError(file: file, key: key, expected: "a finite number",
                                             found: YAMLMapping.describe(node, secret: SecretKeys.isSecret(key)))
                }
                return .double(number)
            default:
                return .string(scalar.string)
            }
        case .sequence(let sequence):
            var elements: [ConfigValue] = []
            for (index, element) in sequence.enumerated() {
                elements.append(try from(element, file: file, key: "\(key)[\(index)]"))
            }
            return .array(elements)
        case .mapping:
            let mapping = try YAMLMapping(node, file: file, path: key)
            var members: [String: ConfigValue] = [:]
            for (name, value) in mapping.entries {
                members[name] = try from(value, file: file, key: mapping.keyPath(name))
            }
            return .object(members)
        }
    }
}
