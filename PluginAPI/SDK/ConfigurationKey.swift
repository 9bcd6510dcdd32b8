import SluicePluginKit

/// One key of a ``ConfigurationSpec``: its name, type, default, whether it
/// is required or a secret, and what it means.
public struct ConfigurationKey: Sendable {
    /// The key as written in the sidecar's `config:`.
    public let name: String
    /// Whether the key must be present.
    public let isRequired: Bool
    /// The key's schema (type, range, default, secret, meaning).
    public let schema: ConfigSchema

    /// Declares a key.
    /// - Parameters:
    ///   - name: the key (snake_case, as in the sidecar).
    ///   - type: what a valid value is, e.g. `.integer(1...256)`.
    ///   - default: the value used when the key is absent (filled in before decoding).
    ///   - required: the key must be present.
    ///   - secret: the value is a secret: `"writeOnly": true` in the schema, so the
    ///     host never shows it (logs, `/agents`, `sluice agents --json`, inspect)
    ///     and errors never repeat it.
    ///   - doc: one sentence saying what the key does (the docs' table shows it).
    public init(_ name: String, _ type: ConfigurationType, default defaultValue: ConfigurationDefault? = nil,
                required: Bool = false, secret: Bool = false, doc: String) {
        self.name = name
        isRequired = required
        var schema = type.schema
        schema.defaultValue = defaultValue?.value
        schema.isSecret = secret
        schema.summary = doc
        self.schema = schema
    }
}
