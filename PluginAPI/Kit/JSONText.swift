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
        // Borrowed in place (a native or small string): `withUTF8` needs a mutable copy, a retain and a release.
        if text.utf8.withContiguousStorageIfAvailable({ appendQuoted(UnsafeRawBufferPointer($0), to: &output) }) != nil {
            return
        }
        var text = text
        text.withUTF8 { appendQuoted(UnsafeRawBufferPointer($0), to: &output) }
    }

    /// Appends `text` (UTF-8 bytes) quoted as ``quoted(_:)`` quotes a string:
    /// runs of bytes that need no escape are found sixteen at a time
    /// (``sluice_json_unescaped_end``) and copied at once.
    public static func appendQuoted(_ bytes: UnsafeRawBufferPointer, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        if let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) {
            var runStart = 0
            while true {
                var index = sluice_json_unescaped_end(base, runStart, bytes.count)
                if runStart < index { output.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[runStart..<index])) }
                guard index < bytes.count else { break }
                let byte = bytes[index]
                switch byte {
                case UInt8(ascii: "\""): output.append(UInt8(ascii: "\\")); output.append(UInt8(ascii: "\""))
                case UInt8(ascii: "\\"): output.append(UInt8(ascii: "\\")); output.append(UInt8(ascii: "\\"))
                case 0x0A: output.append(UInt8(ascii: "\\")); output.append(UInt8(ascii: "n"))
                case 0x0D: output.append(UInt8(ascii: "\\")); output.append(UInt8(ascii: "r"))
                case 0x09: output.append(UInt8(ascii: "\\")); output.append(UInt8(ascii: "t"))
                case 0x08: output.append(UInt8(ascii: "\\")); output.append(UInt8(ascii: "b"))
                case 0x0C: output.append(UInt8(ascii: "\\")); output.append(UInt8(ascii: "f"))
                case 0xE2 where index + 2 < bytes.count && bytes[index + 1] == 0x80
                    && (bytes[index + 2] == 0xA8 || bytes[index + 2] == 0xA9):
                    // U+2028 and U+2029: valid JSON, but line breaks inside JavaScript strings.
                    appendEscaped(bytes[index + 2] == 0xA8 ? 0x2028 : 0x2029, to: &output)
                    index += 2
                case 0xE2: output.append(byte) // another character starting with E2: as it is
                default: appendEscaped(UInt32(byte), to: &output) // the other control characters and DEL
                }
                runStart = index + 1
            }
        }
        output.append(UInt8(ascii: "\""))
    }

    /// `\u` and four lower-case hex digits.
    private static func appendEscaped(_ value: UInt32, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\\")); output.append(UInt8(ascii: "u"))
        for shift in stride(from: 12, through: 0, by: -4) {
            let digit = UInt8(truncatingIfNeeded: value >> UInt32(shift) & 0xF)
            output.append(digit < 10 ? UInt8(ascii: "0") + digit : UInt8(ascii: "a") + digit - 10)
        }
    }

    /// A JSON number for `value`: the shortest text that reads back to the same
    /// double; `null` for NaN and infinities, which JSON cannot express.
    public static func number(_ value: Double) -> String {
        guard value.isFinite else { return "null" }
        return "\(value)"
    }
}
