/// Which configuration keys hold secrets. Their values never appear in error
/// messages and are replaced by `<redacted>` in `redactedDescription`.
enum SecretKeys {
    /// The text that replaces a secret value.
    static let redacted = "<redacted>"

    /// Fragments of key names that mark a secret (compared lower-cased).
    /// They cover librdkafka's `sasl.password`, `ssl.key.password`,
    /// `ssl.keystore.*`, `ssl.key.pem`, `sasl.oauthbearer.client.secret`,
    /// `sasl.oauthbearer.config`, `sasl.jaas.config`, and plugin keys such as
    /// `api_token` or `password`.
    private static let fragments = [
        "password", "passwd", "secret", "token", "keystore", "key.pem",
        "private", "jaas", "credential", "oauthbearer.config", "api_key", "apikey",
    ]

    /// Whether `key` (the last component or a whole dotted property) names a secret.
    static func isSecret(_ key: String) -> Bool {
        let lowered = key.lowercased()
        return fragments.contains { lowered.contains($0) }
    }

    /// `scheme://user:password@host…` → `scheme://<redacted>@host…`; other text unchanged.
    static func maskingURLCredentials(_ text: String) -> String {
        guard let scheme = text.range(of: "://") else { return text }
        let rest = text[scheme.upperBound...]
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        guard let at = rest[..<authorityEnd].lastIndex(of: "@") else { return text }
        return String(text[..<scheme.upperBound]) + redacted + String(rest[at...])
    }
}
