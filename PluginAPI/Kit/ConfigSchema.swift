/// A plugin's configuration schema: the subset of JSON Schema that Sluice
/// checks, as a value. The SDK's declaration builds one; a C plugin's
/// `config_schema` text is read into one (``parse(_:)``); the host checks
/// every agent's `config:` against it (``violation(in:)``) before the
/// plugin's `validate_config`.
///
/// The keywords checked: `type` (one or a list of `object`, `string`,
/// `integer`, `number`, `boolean`, `array`, `null`), `properties`,
/// `required`, `additionalProperties` (`false` refuses unknown keys; a
/// schema is not needed for a key), `enum`, `minimum`, `maximum`,
/// `exclusiveMinimum`, `exclusiveMaximum` (numbers), `minLength`,
/// `maxLength`, `items` (one schema), `minItems`, `maxItems`. Kept without a
/// check: `default` (the SDK fills it in before decoding), `description`,
/// `writeOnly` (a secret: never shown), and the annotations `$schema`, `$id`,
/// `$comment`, `title`, `examples`, `deprecated`, `readOnly`. Any other
/// keyword is reported by ``parse(_:)`` and ignored.
public struct ConfigSchema: Sendable, Equatable {
    /// A JSON type name of the `type` keyword.
    public enum ValueType: String, Sendable, CaseIterable {
        case object, string, integer, number, boolean, array, null
    }

    /// One entry of `properties`.
    public struct Property: Sendable, Equatable {
        /// The key.
        public var name: String
        /// Its schema.
        public var schema: ConfigSchema

        /// A property `name` with `schema`.
        public init(name: String, schema: ConfigSchema) {
            self.name = name
            self.schema = schema
        }
    }

    /// The allowed types; empty allows any.
    public var types: [ValueType] = []
    /// The keys of an object, in declaration order.
    public var properties: [Property] = []
    /// The keys an object must have.
    public var required: [String] = []
    /// Whether an object may have keys not in ``properties`` (JSON Schema's default: yes).
    public var additionalProperties = true
    /// The allowed values (`enum`), or nil.
    public var allowedValues: [JSONValue]?
    /// `minimum`, as written.
    public var minimum: String?
    /// `maximum`, as written.
    public var maximum: String?
    /// `exclusiveMinimum`, as written.
    public var exclusiveMinimum: String?
    /// `exclusiveMaximum`, as written.
    public var exclusiveMaximum: String?
    /// `minLength` of a string, in characters.
    public var minLength: Int?
    /// `maxLength` of a string, in characters.
    public var maxLength: Int?
    /// `minItems` of an array.
    public var minItems: Int?
    /// `maxItems` of an array.
    public var maxItems: Int?
    /// `default`: the value used when the key is absent.
    public var defaultValue: JSONValue?
    /// `description`: what the key means (the docs' table shows it).
    public var summary: String?
    /// `writeOnly: true`: a secret, never shown in logs, messages or listings.
    public var isSecret = false
    /// The schema of every element of an array (`items`); boxed because a
    /// struct cannot hold itself.
    private var itemsBox: [ConfigSchema] = []

    /// An empty schema (accepts anything).
    public init() {}

    /// A schema of `types`.
    public init(types: [ValueType]) { self.types = types }

    /// The schema of an array's elements, or nil.
    public var items: ConfigSchema? {
        get { itemsBox.first }
        set { itemsBox = newValue.map { [$0] } ?? [] }
    }

    /// The property `name`, or nil.
    public func property(_ name: String) -> ConfigSchema? {
        properties.first { $0.name == name }?.schema
    }

    /// Every key marked secret, at any depth (their names, as ``SecretRedaction`` redacts them).
    public var secretKeys: Set<String> {
        var keys: Set<String> = []
        for property in properties {
            if property.schema.isSecret { keys.insert(property.name) }
            keys.formUnion(property.schema.secretKeys)
        }
        if let items { keys.formUnion(items.secretKeys) }
        return keys
    }
}
