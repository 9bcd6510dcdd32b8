import Foundation

/// The metric names a PromQL expression selects: what is left once strings,
/// label matchers, ranges, grouping clauses, functions, keywords and numbers
/// are taken out. Enough for the expressions of the monitoring files, not a
/// PromQL parser (Prometheus itself checks those expressions).
enum PromQLMetricNames {
    private static let keywords: Set<String> = [
        "and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset",
        "Inf", "NaN", "inf", "nan",
    ]

    /// The metric names in `expression`, in order of appearance, each once.
    static func of(_ expression: String) -> [String] {
        var text = expression
        for pattern in [
            #""(?:[^"\\]|\\.)*""#, #"'(?:[^'\\]|\\.)*'"#, // strings
            #"\{[^}]*\}"#, // label matchers
            #"\[[^\]]*\]"#, // ranges and subqueries
            #"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)"#, // grouping clauses
        ] {
            text = text.replacingOccurrences(of: pattern, with: " ", options: .regularExpression)
        }
        var names: [String] = []
        // An identifier, and the opening parenthesis that makes it a function call.
        let identifier = try! NSRegularExpression(pattern: #"(?<![0-9A-Za-z_:.])([A-Za-z_:][A-Za-z0-9_:]*)(\s*\()?"#)
        for match in identifier.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
            guard match.range(at: 2).location == NSNotFound else { continue } // a function or aggregation
            let name = String(text[Range(match.range(at: 1), in: text)!])
            if keywords.contains(name) || names.contains(name) { continue }
            names.append(name)
        }
        return names
    }
}
