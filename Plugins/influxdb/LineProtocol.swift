/// InfluxDB 1.x line protocol: escaping and the text of one point.
///
/// `measurement,tag=value,… field=value,… timestamp`. Measurements escape
/// commas and spaces; tag keys, tag values and field keys also escape `=`;
/// string field values are double-quoted with `"` and `\` escaped.
///
/// Influx 1.x has no escape for a backslash itself: a name whose backslash
/// stands right before a comma, space or `=` (or at its end) cannot be written
/// unambiguously, and neither can a newline outside a string field, nor a
/// measurement starting with `#` (a comment line) or a tab. Those are refused
/// with a reason instead of being written wrong or silently dropped.
public enum LineProtocol {
    /// A value that cannot be written as line protocol.
    public struct Unrepresentable: Error, Sendable, Equatable, CustomStringConvertible {
        /// Why, naming the offending part.
        public let description: String
        /// An error saying `description`.
        public init(_ description: String) { self.description = description }
    }

    /// A field value of a point.
    public enum FieldValue: Sendable, Equatable {
        /// A float, as decimal text accepted by InfluxDB (e.g. `101.5`, `1e-05`).
        case float(String)
        /// A 64-bit integer (written with the `i` suffix).
        case integer(Int64)
        /// A string (written quoted and escaped).
        case string(String)
        /// A boolean.
        case boolean(Bool)
    }

    /// The measurement name escaped: `,` and space get a backslash. A name
    /// starting with `#` or a tab is refused: influxd reads such a line as a
    /// comment (and drops it, answering 204) or strips the tab.
    public static func escapeMeasurement(_ name: String) throws(Unrepresentable) -> String {
        if name.hasPrefix("#") { throw Unrepresentable("measurement starts with '#', which line protocol reads as a comment") }
        if name.hasPrefix("\t") { throw Unrepresentable("measurement starts with a tab, which InfluxDB strips") }
        return try escape(name, what: "measurement", special: [",", " "])
    }

    /// A tag key, tag value or field key escaped: `,`, `=` and space get a backslash.
    public static func escapeKey(_ name: String, what: String = "tag or field key") throws(Unrepresentable) -> String {
        try escape(name, what: what, special: [",", "=", " "])
    }

    /// A string field value: quoted, with `"` and `\` escaped (newlines are allowed inside).
    public static func quoteString(_ value: String) -> String {
        var out = "\""
        out.reserveCapacity(value.utf8.count + 2)
        for character in value.unicodeScalars {
            if character == "\"" || character == "\\" { out += "\\" }
            out.unicodeScalars.append(character)
        }
        out += "\""
        return out
    }

    /// The text of a field value.
    public static func format(_ value: FieldValue) -> String {
        switch value {
        case .float(let text): text
        case .integer(let number): "\(number)i"
        case .string(let text): quoteString(text)
        case .boolean(let flag): flag ? "true" : "false"
        }
    }

    /// One line (without the trailing newline).
    /// - Parameters:
    ///   - measurement: the measurement name (not empty).
    ///   - tags: tag key/value pairs; pairs with an empty value are left out
    ///     (InfluxDB treats an empty tag as an absent one); written sorted by key.
    ///   - fields: at least one field.
    ///   - timestamp: in the unit of the request's `precision`, or nil for the server's clock.
    public static func line(measurement: String, tags: [(key: String, value: String)],
                            fields: [(key: String, value: FieldValue)], timestamp: Int64?) throws(Unrepresentable) -> String {
        guard !measurement.isEmpty else { throw Unrepresentable("the measurement name is empty") }
        guard !fields.isEmpty else { throw Unrepresentable("the point has no field values") }
        var text = try escapeMeasurement(measurement)
        let present = tags.filter { !$0.value.isEmpty }.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
        for tag in present {
            guard !tag.key.isEmpty else { throw Unrepresentable("a tag key is empty") }
            text += ","
            text += try escapeKey(tag.key, what: "tag key '\(tag.key)'")
            text += "="
            text += try escapeKey(tag.value, what: "value of tag '\(tag.key)'")
        }
        for (index, field) in fields.enumerated() {
            guard !field.key.isEmpty else { throw Unrepresentable("a field key is empty") }
            text += index == 0 ? " " : ","
            text += try escapeKey(field.key, what: "field key '\(field.key)'")
            text += "="
            text += format(field.value)
        }
        if let timestamp { text += " \(timestamp)" }
        return text
    }

    private static func escape(_ text: String, what: String, special: Set<Unicode.Scalar>) throws(Unrepresentable) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        var previousWasBackslash = false
        for scalar in text.unicodeScalars {
            if scalar == "\n" || scalar == "\r" { throw Unrepresentable("\(what) contains a line break") }
            if special.contains(scalar) {
                if previousWasBackslash {
                    throw Unrepresentable("\(what) has a backslash before '\(scalar)', which line protocol cannot express")
                }
                out += "\\"
            }
            out.unicodeScalars.append(scalar)
            previousWasBackslash = scalar == "\\"
        }
        if previousWasBackslash { throw Unrepresentable("\(what) ends with a backslash, which line protocol cannot express") }
        return out
    }
}
