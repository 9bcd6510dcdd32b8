import CSluiceJSONScan

/// JSON text fragments per RFC 8259, for everything that writes JSON by hand:
/// the host's configuration texts (JSON strings are also valid YAML
/// double-quoted scalars), error messages quoting found values, and the
/// plugins' request bodies.
public enum JSONText {
    /// `text` as a JSON string literal: quotes, backslashes and every control
    /// character (U+0000–U+001F, U+007F) escaped, plus U+2028/U+2029 so the
    /// text is also safe inside JavaScript; other Unicode stays as UTF-8.
    public static func quoted(_ text: String) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count + 2)
        appendQuoted(text, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends ``quoted(_:)`` of `text` to `output` as UTF-8, without
    /// building a `String` (encoders write one per string value).
    public static func appendQuoted(_ text: String, to output: inout [UInt8]) {
        appendQuotedText(text, to: &output)
    }

    /// Appends ``quoted(_:)`` of `text` to `output` (a writer's own buffer).
    public static func appendQuoted(_ text: String, to output: inout JSONOutputBuffer) {
        appendQuotedText(text, to: &output)
    }

    /// Appends `text` (UTF-8 bytes) quoted as ``quoted(_:)`` quotes a string:
    /// runs of bytes that need no escape are found sixteen at a time
    /// (``sluice_json_unescaped_end``) and copied at once.
    public static func appendQuoted(_ bytes: UnsafeRawBufferPointer, to output: inout [UInt8]) {
        quote(bytes, to: &output)
    }

    /// Appends `bytes` quoted, as the `[UInt8]` overload does, into a writer's own buffer.
    public static func appendQuoted(_ bytes: UnsafeRawBufferPointer, to output: inout JSONOutputBuffer) {
        quote(bytes, to: &output)
    }

    private static func appendQuotedText<Sink: JSONByteSink & ~Copyable>(_ text: String, to output: inout Sink) {
        // Borrowed in place (a native or small string): `withUTF8` needs a mutable copy, a retain and a release.
        if text.utf8.withContiguousStorageIfAvailable({ quote(UnsafeRawBufferPointer($0), to: &output) }) != nil {
            return
        }
        var text = text
        text.withUTF8 { quote(UnsafeRawBufferPointer($0), to: &output) }
    }

    private static func quote<Sink: JSONByteSink & ~Copyable>(_ bytes: UnsafeRawBufferPointer, to output: inout Sink) {
        output.appendByte(UInt8(ascii: "\""))
        if let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) {
            var runStart = 0
            while true {
                var index = sluice_json_unescaped_end(base, runStart, bytes.count)
                if runStart < index { output.appendBytes(UnsafeRawBufferPointer(rebasing: bytes[runStart..<index])) }
                guard index < bytes.count else { break }
                let byte = bytes[index]
                switch byte {
                case UInt8(ascii: "\""): appendEscape(UInt8(ascii: "\""), to: &output)
                case UInt8(ascii: "\\"): appendEscape(UInt8(ascii: "\\"), to: &output)
                case 0x0A: appendEscape(UInt8(ascii: "n"), to: &output)
                case 0x0D: appendEscape(UInt8(ascii: "r"), to: &output)
                case 0x09: appendEscape(UInt8(ascii: "t"), to: &output)
                case 0x08: appendEscape(UInt8(ascii: "b"), to: &output)
                case 0x0C: appendEscape(UInt8(ascii: "f"), to: &output)
                case 0xE2 where index + 2 < bytes.count && bytes[index + 1] == 0x80
                    && (bytes[index + 2] == 0xA8 || bytes[index + 2] == 0xA9):
                    // U+2028 and U+2029: valid JSON, but line breaks inside JavaScript strings.
                    appendEscaped(bytes[index + 2] == 0xA8 ? 0x2028 : 0x2029, to: &output)
                    index += 2
                case 0xE2: output.appendByte(byte) // another character starting with E2: as it is
                default: appendEscaped(UInt32(byte), to: &output) // the other control characters and DEL
                }
                runStart = index + 1
            }
        }
        output.appendByte(UInt8(ascii: "\""))
    }

    /// A backslash and `letter`.
    private static func appendEscape<Sink: JSONByteSink & ~Copyable>(_ letter: UInt8, to output: inout Sink) {
        output.appendByte(UInt8(ascii: "\\"))
        output.appendByte(letter)
    }

    /// `\u` and four lower-case hex digits.
    private static func appendEscaped<Sink: JSONByteSink & ~Copyable>(_ value: UInt32, to output: inout Sink) {
        output.appendByte(UInt8(ascii: "\\")); output.appendByte(UInt8(ascii: "u"))
        for shift in stride(from: 12, through: 0, by: -4) {
            let digit = UInt8(truncatingIfNeeded: value >> UInt32(shift) & 0xF)
            output.appendByte(digit < 10 ? UInt8(ascii: "0") + digit : UInt8(ascii: "a") + digit - 10)
        }
    }

    /// A JSON number for `value`: the shortest text that reads back to the same
    /// double; `null` for NaN and infinities, which JSON cannot express.
    public static func number(_ value: Double) -> String {
        guard value.isFinite else { return "null" }
        return "\(value)"
    }
}
