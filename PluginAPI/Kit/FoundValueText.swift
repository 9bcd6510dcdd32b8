/// How a configuration error shows the value it found: quoted and shortened,
/// so one bad line cannot flood a log. Shared by the host and the plugins.
public enum FoundValueText {
    /// The longest stretch of a found value repeated in a message; longer
    /// values end in "…".
    public static let limit = 60

    /// `text` as a quoted, escaped, shortened JSON string.
    public static func quoted(_ text: String) -> String {
        let shortened = text.count > limit ? String(text.prefix(limit - 1)) + "…" : text
        return JSONText.quoted(shortened)
    }

    /// A JSON value as found: a quoted string, a number or `true`/`false`/`null`
    /// as written, `a mapping` or `a list`.
    public static func describe(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): quoted(text)
        case .number(let text): text.count > limit ? String(text.prefix(limit - 1)) + "…" : text
        case .bool(let flag): flag ? "true" : "false"
        case .null: "null"
        case .object(let members): members.isEmpty ? "an empty mapping" : "a mapping"
        case .array(let elements): elements.isEmpty ? "an empty list" : "a list"
        }
    }
}
