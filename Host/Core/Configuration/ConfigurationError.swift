import SluicePluginKit

/// A configuration problem, precise enough to fix without reading the code:
/// which file, which key, what was expected, and what was found.
///
/// Every error of `ConfigurationLoader`, `BrokerAddress(parsing:)` and the
/// environment overrides is one of these. Its `description` is the line the
/// CLI prints, e.g.
/// `sluice.yaml: retry.max_attempts: expected a positive integer, found "abc"`.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file the value came from; nil for environment variables and flags.
    public let file: String?
    /// The dotted key path (`retry.max_attempts`), the variable name for the
    /// environment (`SLUICE_WORKERS`), or "" for the whole file.
    public let key: String
    /// What a valid value looks like, e.g. "a positive integer".
    public let expected: String
    /// What was there, already quoted and shortened to about 60 characters
    /// (e.g. `"abc"`, `a mapping`); nil when unknown or when the key holds a
    /// secret, whose value is never repeated.
    public let found: String?

    /// Creates an error. `found` is stored as given: callers quote and shorten it.
    public init(file: String?, key: String, expected: String, found: String?) {
        self.file = file
        self.key = key
        self.expected = expected
        self.found = found
    }

    /// `file: key: expected …, found …`, leaving out the parts that are absent.
    public var description: String {
        var parts: [String] = []
        if let file { parts.append(file) }
        if !key.isEmpty { parts.append(key) }
        var message = "expected \(expected)"
        if let found { message += ", found \(found)" }
        parts.append(message)
        return parts.joined(separator: ": ")
    }
}

extension ConfigurationError {
    /// The longest stretch of a found value repeated in a message; longer
    /// values end in "…" so one bad line cannot flood the log.
    static let foundLimit = 60

    /// `text` as a quoted, escaped, shortened `found` value.
    static func quoted(_ text: String) -> String {
        let shortened = text.count > foundLimit ? String(text.prefix(foundLimit - 1)) + "…" : text
        return JSONText.quoted(shortened)
    }

    /// This error with the key replaced; used to re-home errors of shared parsers
    /// (the broker URL) under the key or variable that held the value.
    func relocated(file: String?, key: String) -> ConfigurationError {
        ConfigurationError(file: file, key: key, expected: expected, found: found)
    }
}
