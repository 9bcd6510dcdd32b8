/// Which environment variables an agent's configuration may make its plugin
/// read. A plugin reads a variable named by a key ending in `_env` (e.g.
/// `password_env: REDIS_PASSWORD`) or by `${NAME}` inside a text value; the
/// host checks every such reference before the plugin sees the
/// configuration: the variable must be listed in the host configuration's
/// `plugin_environment`, and it may never be one the host reads itself
/// (`SLUICE_ADMIN_TOKEN`, `SLUICE_KAFKA_*`, ...).
enum PluginEnvironmentRule {
    /// The suffix of keys whose value names an environment variable.
    static let keySuffix = "_env"

    /// Whether the host reads `name` itself: such a variable is never handed to a plugin.
    static func isHostVariable(_ name: String) -> Bool {
        EnvironmentOverrides.variables.contains(name) || name.hasPrefix(EnvironmentOverrides.kafkaPrefix)
    }

    /// Whether `name` is a shell-style variable name (`[A-Za-z_][A-Za-z0-9_]*`).
    static func isVariableName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic) else {
            return false
        }
        return name.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
    }

    /// Refuses the first reference in `value` (found under `key` of `file`)
    /// to a variable not in `allowed` or read by the host itself.
    static func check(_ value: ConfigValue, file: String?, key: String, allowed: [String]) throws(ConfigurationError) {
        switch value {
        case .object(let members):
            for name in members.keys.sorted() {
                let member = members[name]!
                let memberKey = YAMLMapping.join(key, name)
                if name.lowercased().hasSuffix(keySuffix), case .string(let variable) = member {
                    try require(variable, file: file, key: memberKey, allowed: allowed)
                }
                try check(member, file: file, key: memberKey, allowed: allowed)
            }
        case .array(let elements):
            for (index, element) in elements.enumerated() {
                try check(element, file: file, key: "\(key)[\(index)]", allowed: allowed)
            }
        case .string(let text):
            for variable in references(in: text) {
                try require(variable, file: file, key: key, allowed: allowed)
            }
        case .null, .bool, .integer, .double:
            return
        }
    }

    /// The names inside `${...}` in `text`, in order.
    static func references(in text: String) -> [String] {
        var names: [String] = []
        var rest = Substring(text)
        while let start = rest.range(of: "${") {
            rest = rest[start.upperBound...]
            guard let end = rest.firstIndex(of: "}") else { break }
            names.append(String(rest[..<end]))
            rest = rest[rest.index(after: end)...]
        }
        return names
    }

    private static func require(_ variable: String, file: String?, key: String, allowed: [String]) throws(ConfigurationError) {
        if isHostVariable(variable) {
            throw ConfigurationError(
                file: file, key: key,
                expected: "an environment variable the host does not read itself (the host's own settings and secrets are never handed to a plugin)",
                found: ConfigurationError.quoted(variable))
        }
        guard allowed.contains(variable) else {
            let list = allowed.isEmpty ? "it lists none" : "it lists " + allowed.joined(separator: ", ")
            throw ConfigurationError(
                file: file, key: key,
                expected: "an environment variable listed in plugin_environment of the host configuration (\(list))",
                found: ConfigurationError.quoted(variable))
        }
    }
}
