/// The one rule, for the host and every plugin, for keeping secrets out of
/// logs and error messages:
///
/// - a URL's credentials: `scheme://user:PASSWORD@host` → `scheme://user:***@host`,
///   `redis://:pw@host` → `redis://:***@host`, and a user part without a
///   colon (`redis://pw@host`, often a token or a password alone) → `***@host`;
/// - the value under a key that looks secret (``isSecretKey(_:)``: authorization,
///   bearer, token, password, secret, api-key, cookie, … in any case);
/// - the keys a plugin's configuration schema marks `"writeOnly": true`
///   (``secretKeys(inSchema:)``).
///
/// Text that names what was wrong still names the key or the environment
/// variable; it never repeats the value.
public enum SecretRedaction {
    /// What replaces a secret value (the value under a secret key).
    public static let redactedValue = "<redacted>"

    /// What replaces the password (or the user part) inside a URL.
    public static let maskedCredential = "***"

    /// Fragments of key names that mark a secret, compared lower-cased. They
    /// cover HTTP headers (`Authorization`, `Proxy-Authorization`,
    /// `X-Api-Key`, `Cookie`), librdkafka's `sasl.password`, `ssl.key.password`,
    /// `ssl.keystore.*`, `ssl.key.pem`, `sasl.oauthbearer.client.secret`,
    /// `sasl.oauthbearer.config`, `sasl.jaas.config`, and plugin keys such as
    /// `api_token` or `password`.
    private static let secretKeyFragments = [
        "authorization", "bearer", "token", "password", "passwd", "secret",
        "api-key", "api_key", "apikey", "cookie", "credential", "keystore",
        "key.pem", "private", "jaas", "oauthbearer.config",
    ]

    /// Whether `key` (a header name, a configuration key, or a whole dotted
    /// property) names a secret.
    public static func isSecretKey(_ key: String) -> Bool {
        let lowered = key.lowercased()
        return secretKeyFragments.contains { lowered.contains($0) }
    }

    /// `text` with the credentials of every URL in it masked
    /// (`https://user:pw@host/x` → `https://user:***@host/x`); everything else
    /// unchanged. Works on a bare URL and on a sentence that contains URLs.
    public static func maskingURLCredentials(_ text: String) -> String {
        guard text.contains("@"), text.contains("://") else { return text }
        var output = ""
        var rest = Substring(text)
        while let scheme = rest.firstRange(of: "://") {
            output += rest[..<scheme.upperBound]
            rest = rest[scheme.upperBound...]
            // The authority ends at the path, query or fragment, or where the URL ends in a sentence.
            let authorityEnd = rest.firstIndex { "/?#".contains($0) || $0.isWhitespace || "\"'<>".contains($0) } ?? rest.endIndex
            guard let at = rest[..<authorityEnd].lastIndex(of: "@") else { continue }
            let userInfo = rest[..<at]
            if let colon = userInfo.firstIndex(of: ":") {
                output += userInfo[..<colon] + ":" + maskedCredential
            } else {
                output += maskedCredential
            }
            rest = rest[at...]
        }
        output += rest
        return output
    }

    /// `value` for a log line or a message: ``redactedValue`` when `key` looks
    /// secret, else the value with any URL credentials masked.
    public static func redacting(_ value: String, underKey key: String) -> String {
        isSecretKey(key) ? redactedValue : maskingURLCredentials(value)
    }

    /// The property names a JSON Schema marks secret with `"writeOnly": true`,
    /// at any depth (a plugin's `config_schema`). Empty when `schema` is not
    /// valid JSON.
    public static func secretKeys(inSchema schema: String) -> Set<String> {
        guard let root = try? JSONValue.parse(schema) else { return [] }
        var keys: Set<String> = []
        collectWriteOnly(root, into: &keys)
        return keys
    }

    /// `schema` as it may be shown (`sluice plugins inspect`): the `default`
    /// of every schema marked `"writeOnly": true` replaced by ``redactedValue``,
    /// everything else as written. Unchanged when there is no such default or
    /// `schema` is not valid JSON.
    public static func redactingSecretDefaults(inSchema schema: String) -> String {
        guard let root = try? JSONValue.parse(schema) else { return schema }
        let redacted = redactingDefaults(root)
        return redacted == root ? schema : redacted.jsonText
    }

    private static func redactingDefaults(_ node: JSONValue) -> JSONValue {
        switch node {
        case .object(let members):
            let secret = members.contains { $0.key == "writeOnly" && $0.value == .bool(true) }
            return .object(members.map { member in
                (key: member.key,
                 value: secret && member.key == "default" ? .string(redactedValue) : redactingDefaults(member.value))
            })
        case .array(let elements):
            return .array(elements.map(redactingDefaults))
        default:
            return node
        }
    }

    private static func collectWriteOnly(_ node: JSONValue, into keys: inout Set<String>) {
        switch node {
        case .object(let members):
            for member in members {
                if member.key == "properties", case .object(let properties) = member.value {
                    for property in properties {
                        if case .object(let attributes) = property.value,
                           attributes.contains(where: { $0.key == "writeOnly" && $0.value == .bool(true) }) {
                            keys.insert(property.key)
                        }
                    }
                }
                collectWriteOnly(member.value, into: &keys)
            }
        case .array(let elements):
            for element in elements { collectWriteOnly(element, into: &keys) }
        default:
            break
        }
    }
}
