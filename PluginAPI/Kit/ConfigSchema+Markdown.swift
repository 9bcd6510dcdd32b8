extension ConfigSchema {
    /// The keys as a Markdown table (key, value, default, meaning), nested
    /// mappings' keys dotted (`auth.username`). A plugin's README holds this
    /// table; a test compares the two, so the docs cannot drift.
    public var markdownTable: String {
        var lines = ["| key | value | default | meaning |", "|---|---|---|---|"]
        appendRows(prefix: "", to: &lines)
        return lines.joined(separator: "\n") + "\n"
    }

    private func appendRows(prefix: String, to lines: inout [String]) {
        for property in properties {
            let key = prefix + property.name
            let schema = property.schema
            var value = schema.expectation
            if required.contains(property.name) { value += ", required" }
            if schema.isSecret { value += ", secret" }
            // A secret's default is a secret too.
            let fallback = schema.defaultValue.map { schema.isSecret ? "`\"\(SecretRedaction.redactedValue)\"`" : "`\($0.jsonText)`" } ?? "—"
            let meaning = schema.summary ?? ""
            lines.append("| `\(key)` | \(Self.cell(value)) | \(Self.cell(fallback)) | \(Self.cell(meaning)) |")
            if !schema.properties.isEmpty { schema.appendRows(prefix: key + ".", to: &lines) }
        }
    }

    /// Table-cell text: pipes escaped, lines joined.
    private static func cell(_ text: String) -> String {
        text.replacingPipes().split(separator: "\n").joined(separator: " ")
    }
}

private extension String {
    func replacingPipes() -> String {
        var out = ""
        for character in self { out += character == "|" ? "\\|" : String(character) }
        return out
    }
}
