import SluicePluginKit

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
///
/// The `append…` functions write UTF-8 straight into a byte buffer (the
/// request body) and are what the write path uses; the `String` functions are
/// the same rules for callers that want text.
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

    /// Which part of a line a name is: it decides the characters that need a backslash.
    public enum NamePart: Sendable {
        /// The measurement: `,` and space are escaped.
        case measurement
        /// A tag key, tag value or field key: `,`, `=` and space are escaped.
        case key

        /// Whether `byte` needs a backslash in this part. Every special character
        /// is ASCII, so a byte-wise test on UTF-8 is exact.
        @inline(__always)
        func isSpecial(_ byte: UInt8) -> Bool {
            byte == UInt8(ascii: ",") || byte == UInt8(ascii: " ") || (self == .key && byte == UInt8(ascii: "="))
        }
    }

    // MARK: Text

    /// The measurement name escaped: `,` and space get a backslash. A name
    /// starting with `#` or a tab is refused: influxd reads such a line as a
    /// comment (and drops it, answering 204) or strips the tab.
    public static func escapeMeasurement(_ name: String) throws(Unrepresentable) -> String {
        try text { output throws(Unrepresentable) in
            try withUTF8(name) { name throws(Unrepresentable) in try appendMeasurement(name, to: &output) }
        }
    }

    /// A tag key, tag value or field key escaped: `,`, `=` and space get a backslash.
    public static func escapeKey(_ name: String, what: String = "tag or field key") throws(Unrepresentable) -> String {
        try text { output throws(Unrepresentable) in
            try withUTF8(name) { name throws(Unrepresentable) in try appendEscaped(name, as: .key, to: &output, what: what) }
        }
    }

    /// A tag or field key escaped, as UTF-8 (see ``appendKey(_:of:to:)``).
    public static func escapedKey(_ key: String, of kind: KeyKind) throws(Unrepresentable) -> [UInt8] {
        var output: [UInt8] = []
        try withUTF8(key) { key throws(Unrepresentable) in try appendKey(key, of: kind, to: &output) }
        return output
    }

    /// A string field value: quoted, with `"` and `\` escaped (newlines are allowed inside).
    public static func quoteString(_ value: String) -> String {
        text { output in withUTF8(value) { value in appendQuoted(value, to: &output) } }
    }

    /// The text of a field value.
    public static func format(_ value: FieldValue) -> String {
        text { output in appendFieldValue(value, to: &output) }
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
        return try text { output throws(Unrepresentable) in
            try withUTF8(measurement) { name throws(Unrepresentable) in try appendMeasurement(name, to: &output) }
            let present = tags.filter { !$0.value.isEmpty }.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            for tag in present {
                output.append(UInt8(ascii: ","))
                try withUTF8(tag.key) { key throws(Unrepresentable) in try appendKey(key, of: .tag, to: &output) }
                output.append(UInt8(ascii: "="))
                try withUTF8(tag.value) { value throws(Unrepresentable) in try appendTagValue(value, ofTag: tag.key, to: &output) }
            }
            for (index, field) in fields.enumerated() {
                output.append(index == 0 ? UInt8(ascii: " ") : UInt8(ascii: ","))
                try withUTF8(field.key) { key throws(Unrepresentable) in try appendKey(key, of: .field, to: &output) }
                output.append(UInt8(ascii: "="))
                appendFieldValue(field.value, to: &output)
            }
            if let timestamp { appendTimestamp(timestamp, to: &output) }
        }
    }

    // MARK: Bytes

    /// Which key a name is, for the refusal texts.
    public enum KeyKind: String, Sendable {
        /// A tag key.
        case tag
        /// A field key.
        case field
    }

    /// Appends a measurement name (UTF-8) escaped; refuses one starting with
    /// `#` or a tab (see ``escapeMeasurement(_:)``).
    public static func appendMeasurement(_ name: UnsafeRawBufferPointer, to output: inout [UInt8]) throws(Unrepresentable) {
        if name.first == UInt8(ascii: "#") { throw Unrepresentable("measurement starts with '#', which line protocol reads as a comment") }
        if name.first == UInt8(ascii: "\t") { throw Unrepresentable("measurement starts with a tab, which InfluxDB strips") }
        try appendEscaped(name, as: .measurement, to: &output, what: "measurement")
    }

    /// Appends a tag or field key (UTF-8) escaped; refuses an empty one.
    public static func appendKey(_ key: UnsafeRawBufferPointer, of kind: KeyKind, to output: inout [UInt8]) throws(Unrepresentable) {
        guard !key.isEmpty else { throw Unrepresentable("a \(kind.rawValue) key is empty") }
        try appendEscaped(key, as: .key, to: &output, what: "\(kind.rawValue) key '\(String(decoding: key, as: UTF8.self))'")
    }

    /// Appends the value (UTF-8) of the tag `tag` escaped; `tag` is only
    /// evaluated for a refusal.
    public static func appendTagValue(_ value: UnsafeRawBufferPointer, ofTag tag: @autoclosure () -> String,
                                      to output: inout [UInt8]) throws(Unrepresentable) {
        try appendEscaped(value, as: .key, to: &output, what: "value of tag '\(tag())'")
    }

    /// Appends `name` (UTF-8) with a backslash before each special character of
    /// `part`. Refuses a line break, and a backslash before a special character
    /// or at the end (line protocol cannot express those); `what` names the
    /// name in the refusal and is only evaluated then.
    public static func appendEscaped(_ name: UnsafeRawBufferPointer, as part: NamePart, to output: inout [UInt8],
                                     what: @autoclosure () -> String) throws(Unrepresentable) {
        let mark = output.count
        var previousWasBackslash = false
        for byte in name {
            if byte == 0x0A || byte == 0x0D {
                output.removeSubrange(mark...)
                throw Unrepresentable("\(what()) contains a line break")
            }
            if part.isSpecial(byte) {
                if previousWasBackslash {
                    output.removeSubrange(mark...)
                    throw Unrepresentable("\(what()) has a backslash before '\(Unicode.Scalar(byte))', which line protocol cannot express")
                }
                output.append(UInt8(ascii: "\\"))
            }
            output.append(byte)
            previousWasBackslash = byte == UInt8(ascii: "\\")
        }
        if previousWasBackslash {
            output.removeSubrange(mark...)
            throw Unrepresentable("\(what()) ends with a backslash, which line protocol cannot express")
        }
    }

    /// Appends a string field value (UTF-8): quoted, with `"` and `\` escaped.
    public static func appendQuoted(_ value: UnsafeRawBufferPointer, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        for byte in value {
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { output.append(UInt8(ascii: "\\")) }
            output.append(byte)
        }
        output.append(UInt8(ascii: "\""))
    }

    /// Appends an integer field value: its digits and the `i` suffix.
    public static func appendInteger(_ value: Int64, to output: inout [UInt8]) {
        NumberText.appendDecimal(value, to: &output)
        output.append(UInt8(ascii: "i"))
    }

    /// Appends a boolean field value.
    public static func appendBoolean(_ value: Bool, to output: inout [UInt8]) {
        output.append(contentsOf: value ? Self.trueText : Self.falseText)
    }

    /// Appends the timestamp, with the space that separates it from the fields.
    public static func appendTimestamp(_ timestamp: Int64, to output: inout [UInt8]) {
        output.append(UInt8(ascii: " "))
        NumberText.appendDecimal(timestamp, to: &output)
    }

    /// Appends the text of a field value.
    public static func appendFieldValue(_ value: FieldValue, to output: inout [UInt8]) {
        switch value {
        case .float(let text): output.append(contentsOf: text.utf8)
        case .integer(let number): appendInteger(number, to: &output)
        case .string(let text): withUTF8(text) { appendQuoted($0, to: &output) }
        case .boolean(let flag): appendBoolean(flag, to: &output)
        }
    }

    private static let trueText = Array("true".utf8)
    private static let falseText = Array("false".utf8)

    /// Calls `body` with the UTF-8 of `text` (`String.withUTF8` only rethrows untyped errors).
    private static func withUTF8<Result, Failure: Error>(
        _ text: String, _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        var text = text
        let outcome: Swift.Result<Result, Failure> = text.withUTF8 { buffer in
            Swift.Result { () throws(Failure) in try body(UnsafeRawBufferPointer(buffer)) }
        }
        return try outcome.get()
    }

    /// The text `write` appends to an empty buffer.
    private static func text<Failure: Error>(_ write: (inout [UInt8]) throws(Failure) -> Void) throws(Failure) -> String {
        var output: [UInt8] = []
        try write(&output)
        return String(decoding: output, as: UTF8.self)
    }
}
