import SluicePluginKit

extension ConfigValue {
    /// Compact JSON text (no spaces), object keys sorted by their UTF-8 bytes so
    /// the same tree always gives the same text; strings escaped per RFC 8259
    /// (see `JSONText.quoted`); non-finite doubles written as `null`.
    public var jsonText: String {
        var output = ""
        write(to: &output, redactingSecrets: false)
        return output
    }

    /// `jsonText` with the values of secret-looking keys (password, token,
    /// secret, …) replaced by `"<redacted>"`, and the `user:password@` part of
    /// URL-looking strings (`redis://:pw@host`) masked, for logs.
    public var redactedJSONText: String {
        var output = ""
        write(to: &output, redactingSecrets: true)
        return output
    }

    private func write(to output: inout String, redactingSecrets: Bool) {
        switch self {
        case .null: output += "null"
        case .bool(let value): output += value ? "true" : "false"
        case .integer(let value): output += String(value)
        case .double(let value): output += JSONText.number(value)
        case .string(let value):
            output += JSONText.quoted(redactingSecrets ? SecretKeys.maskingURLCredentials(value) : value)
        case .array(let elements):
            output += "["
            for (index, element) in elements.enumerated() {
                if index > 0 { output += "," }
                element.write(to: &output, redactingSecrets: redactingSecrets)
            }
            output += "]"
        case .object(let members):
            output += "{"
            let keys = members.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            for (index, key) in keys.enumerated() {
                if index > 0 { output += "," }
                output += JSONText.quoted(key)
                output += ":"
                if redactingSecrets, SecretKeys.isSecret(key) {
                    output += JSONText.quoted(SecretKeys.redacted)
                } else {
                    members[key]!.write(to: &output, redactingSecrets: redactingSecrets)
                }
            }
            output += "}"
        }
    }
}
