import SluicePluginKit

/// What a valid value of a ``ConfigurationKey`` is: a type and its limits.
public struct ConfigurationType: Sendable {
    /// The schema of a value of this type.
    public var schema: ConfigSchema

    /// A type with `schema`.
    public init(schema: ConfigSchema) { self.schema = schema }

    private init(_ type: ConfigSchema.ValueType, _ adjust: (inout ConfigSchema) -> Void = { _ in }) {
        var schema = ConfigSchema(types: [type])
        adjust(&schema)
        self.schema = schema
    }

    /// Any string.
    public static let string = ConfigurationType(.string)
    /// A string of at least `minLength` (and at most `maxLength`) characters.
    public static func string(minLength: Int? = nil, maxLength: Int? = nil) -> ConfigurationType {
        ConfigurationType(.string) { $0.minLength = minLength; $0.maxLength = maxLength }
    }
    /// `true` or `false`.
    public static let boolean = ConfigurationType(.boolean)
    /// Any integer.
    public static let integer = ConfigurationType(.integer)
    /// An integer in `range`.
    public static func integer(_ range: ClosedRange<Int>) -> ConfigurationType {
        ConfigurationType(.integer) { $0.minimum = String(range.lowerBound); $0.maximum = String(range.upperBound) }
    }
    /// An integer of at least `minimum`.
    public static func integer(atLeast minimum: Int) -> ConfigurationType {
        ConfigurationType(.integer) { $0.minimum = String(minimum) }
    }
    /// Any number.
    public static let number = ConfigurationType(.number)
    /// One of the strings `values`.
    public static func oneOf(_ values: String...) -> ConfigurationType {
        ConfigurationType(.string) { $0.allowedValues = values.map(JSONValue.string) }
    }
    /// A list whose entries are `element`s, with at least `minItems` of them.
    public static func list(of element: ConfigurationType, minItems: Int? = nil) -> ConfigurationType {
        ConfigurationType(.array) { $0.items = element.schema; $0.minItems = minItems }
    }
    /// A mapping of any keys (the plugin checks them, e.g. HTTP headers).
    public static let mapping = ConfigurationType(.object)
    /// A mapping with the declared `keys` only (unknown keys refused).
    public static func object(@ConfigurationKeys _ keys: () -> [ConfigurationKey]) -> ConfigurationType {
        let declared = keys()
        return ConfigurationType(.object) { schema in
            schema.properties = declared.map { ConfigSchema.Property(name: $0.name, schema: $0.schema) }
            schema.required = declared.filter(\.isRequired).map(\.name)
            schema.additionalProperties = false
        }
    }
    /// Any JSON value (the plugin checks it, e.g. a body template).
    public static let any = ConfigurationType(schema: ConfigSchema())

    /// This type, or `null` (the plugin gives null a meaning, such as "none").
    public var orNull: ConfigurationType {
        var schema = self.schema
        guard !schema.types.isEmpty else { return self }
        schema.types.append(.null)
        schema.allowedValues?.append(.null)
        return ConfigurationType(schema: schema)
    }
}
