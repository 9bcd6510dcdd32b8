import SluicePluginKit

extension ConfigValue {
    /// This value as operators may see it: the values under `secretKeys` (the
    /// keys the plugin's `config_schema` marks `"writeOnly": true`) and under
    /// secret-looking names replaced by `"<redacted>"`, at any depth, and the
    /// credentials of URL-looking strings masked (`redis://:***@host`).
    public func redacted(secretKeys: Set<String>) -> ConfigValue {
        switch self {
        case .object(let members):
            var redacted: [String: ConfigValue] = [:]
            for (key, member) in members {
                redacted[key] = secretKeys.contains(key) || SecretKeys.isSecret(key)
                    ? .string(SecretKeys.redacted) : member.redacted(secretKeys: secretKeys)
            }
            return .object(redacted)
        case .array(let elements):
            return .array(elements.map { $0.redacted(secretKeys: secretKeys) })
        case .string(let text):
            return .string(SecretKeys.maskingURLCredentials(text))
        default:
            return self
        }
    }
}
