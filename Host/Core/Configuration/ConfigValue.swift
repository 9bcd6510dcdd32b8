/// A JSON-compatible tree: a plugin's own configuration (the `config:` mapping
/// of a sidecar), handed to the plugin as JSON text (`jsonText`) in
/// `validate_config` and `create`.
public enum ConfigValue: Sendable, Equatable {
    /// JSON `null` (YAML `~`, `null` or an empty value).
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A whole number that fits in 64 bits.
    case integer(Int64)
    /// Any other number. Non-finite values are written as `null`.
    case double(Double)
    /// A UTF-8 string.
    case string(String)
    /// An ordered list.
    case array([ConfigValue])
    /// A mapping from string keys to values; written with keys sorted.
    case object([String: ConfigValue])

    /// The value under `key` when this is an object, else nil.
    public subscript(key: String) -> ConfigValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }
}

extension ConfigValue: ExpressibleByNilLiteral {
    /// `nil` is `.null`.
    public init(nilLiteral: ()) { self = .null }
}

extension ConfigValue: ExpressibleByBooleanLiteral {
    /// A boolean literal.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension ConfigValue: ExpressibleByIntegerLiteral {
    /// An integer literal.
    public init(integerLiteral value: Int64) { self = .integer(value) }
}

extension ConfigValue: ExpressibleByFloatLiteral {
    /// A floating-point literal.
    public init(floatLiteral value: Double) { self = .double(value) }
}

extension ConfigValue: ExpressibleByStringLiteral {
    /// A string literal.
    public init(stringLiteral value: String) { self = .string(value) }
}

extension ConfigValue: ExpressibleByArrayLiteral {
    /// An array literal.
    public init(arrayLiteral elements: ConfigValue...) { self = .array(elements) }
}

extension ConfigValue: ExpressibleByDictionaryLiteral {
    /// A dictionary literal; a repeated key keeps its last value.
    public init(dictionaryLiteral elements: (String, ConfigValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}
