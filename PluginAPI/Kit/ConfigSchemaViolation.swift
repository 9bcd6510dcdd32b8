/// Why a configuration does not match its schema, in the host's wording:
/// `config.ttl_seconds: expected an integer from 1 to 86400, found 0`.
public struct ConfigSchemaViolation: Error, Sendable, Equatable, CustomStringConvertible {
    /// The dotted key path from the top of `config` (`ttl_seconds`,
    /// `auth.username`, `commands[0]`); "" for `config` itself.
    public let path: String
    /// What a valid value looks like.
    public let expected: String
    /// What was there; nil for a secret (never repeated) or a missing key's absence.
    public let found: String?

    /// A violation at `path`.
    public init(path: String, expected: String, found: String?) {
        self.path = path
        self.expected = expected
        self.found = found
    }

    /// The key as an operator wrote it in the sidecar: `config.<path>`.
    public var key: String { path.isEmpty ? "config" : path.hasPrefix("[") ? "config" + path : "config." + path }

    /// `config.key: expected …, found …`.
    public var description: String {
        var message = "\(key): expected \(expected)"
        if let found { message += ", found \(found)" }
        return message
    }

    /// The message with the sidecar named first: `plugins/x.yaml: config.key: expected …`.
    public func described(inFile file: String) -> String { "\(file): \(description)" }
}
