import SluicePluginKit

/// A plugin's configuration, declared once: its keys, their types, defaults,
/// ranges, secrets and meanings. From it come
///
/// - the JSON Schema in the descriptor's `config_schema` (``jsonSchema``),
///   which the host checks every agent's `config:` against before
///   `validate_config` (so `sluice` refuses a typo naming the sidecar and the key);
/// - strict decoding: the SDK checks the same schema, fills in the defaults,
///   then decodes the agent's `Configuration` with plain `Decodable`;
/// - the table in the plugin's docs (``markdownTable``), which a test compares
///   with the README.
///
/// ```swift
/// static let configurationSpec: ConfigurationSpec? = ConfigurationSpec {
///     ConfigurationKey("url", .string(minLength: 1), default: "redis://127.0.0.1:6379/0", doc: "Where Redis is.")
///     ConfigurationKey("password", .string, secret: true, doc: "The password.")
///     ConfigurationKey("ttl_seconds", .integer(1...86_400), default: 3600, doc: "How long keys live.")
/// }
/// ```
///
/// Unknown keys are refused with the host's wording
/// (`config.pool_sise: expected one of …, found unknown key "pool_sise" (did you mean "pool_size"?)`).
public struct ConfigurationSpec: Sendable {
    /// The schema the declaration stands for.
    public let schema: ConfigSchema

    /// The keys of `config:`, in the order the docs list them.
    public init(@ConfigurationKeys _ keys: () -> [ConfigurationKey]) {
        schema = ConfigurationType.object(keys).schema
    }

    /// The JSON Schema text for the descriptor's `config_schema`.
    public var jsonSchema: String { schema.jsonText }

    /// The keys as a Markdown table, for the plugin's README.
    public var markdownTable: String { schema.markdownTable }

    /// The first way `configuration` breaks the declaration, or nil.
    public func violation(in configuration: JSONValue) -> ConfigSchemaViolation? {
        schema.violation(in: configuration)
    }
}

/// Collects the ``ConfigurationKey``s of a ``ConfigurationSpec`` or a nested mapping.
@resultBuilder
public enum ConfigurationKeys {
    /// The keys, in order.
    public static func buildBlock(_ keys: ConfigurationKey...) -> [ConfigurationKey] { keys }
}
