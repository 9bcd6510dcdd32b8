/// Quoting for InfluxQL text. Values taken from messages never go into query
/// text: they are bound parameters (``PriceQuery``). Only identifiers from the
/// configuration are written into the text, always double-quoted with `\` and
/// `"` escaped, so even an odd measurement name cannot end the identifier.
public enum InfluxQL {
    /// `name` as a double-quoted identifier: `my "m"` → `"my \"m\""`.
    public static func quoteIdentifier(_ name: String) -> String {
        var out = "\""
        for scalar in name.unicodeScalars {
            if scalar == "\"" || scalar == "\\" { out += "\\" }
            out.unicodeScalars.append(scalar)
        }
        return out + "\""
    }

    /// `value` as a single-quoted string literal with `\` and `'` escaped.
    /// (The plugin binds message values as parameters instead; this exists for
    /// tools and tests that must write a literal.)
    public static func quoteString(_ value: String) -> String {
        var out = "'"
        for scalar in value.unicodeScalars {
            switch scalar {
            case "'", "\\": out += "\\"; out.unicodeScalars.append(scalar)
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "'"
    }
}
