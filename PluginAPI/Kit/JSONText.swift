/// JSON text fragments per RFC 8259, for everything that writes JSON by hand:
/// the host's configuration texts (JSON strings are also valid YAML
/// double-quoted scalars), error messages quoting found values, and the
/// plugins' request bodies.
public enum JSONText {
    /// `text` as a JSON string literal: quotes, backslashes and every control
    /// character (U+0000–U+001F, U+007F) escaped, plus U+2028/U+2029 so the
    /// text is also safe inside JavaScript; other Unicode stays as UTF-8.
    public static func quoted(_ text: String) -> String {
        var result = "\""
        result.reserveCapacity(text.utf8.count + 2)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case "\u{08}": result += "\\b"
            case "\u{0C}": result += "\\f"
            case "\u{00}"..."\u{1F}", "\u{7F}", "\u{2028}", "\u{2029}":
                result += "\\u" + hex4(scalar.value)
            default:
                result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }

    /// A JSON number for `value`: the shortest text that reads back to the same
    /// double; `null` for NaN and infinities, which JSON cannot express.
    public static func number(_ value: Double) -> String {
        guard value.isFinite else { return "null" }
        return "\(value)"
    }

    private static func hex4(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: false)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
