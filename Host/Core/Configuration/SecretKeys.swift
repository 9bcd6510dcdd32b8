import SluicePluginKit

/// Which configuration keys hold secrets, by the rule every plugin shares
/// (``SecretRedaction``). Their values never appear in error messages and are
/// replaced by `<redacted>` in `redactedDescription`.
enum SecretKeys {
    /// The text that replaces a secret value.
    static let redacted = SecretRedaction.redactedValue

    /// Whether `key` (the last component or a whole dotted property) names a
    /// secret: password, token, secret, authorization, bearer, api-key,
    /// cookie, librdkafka's key and keystore properties, … in any case.
    static func isSecret(_ key: String) -> Bool {
        SecretRedaction.isSecretKey(key)
    }

    /// `scheme://user:password@host…` → `scheme://user:***@host…`; other text unchanged.
    static func maskingURLCredentials(_ text: String) -> String {
        SecretRedaction.maskingURLCredentials(text)
    }
}
