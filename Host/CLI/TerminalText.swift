/// Record text made safe to print on a terminal: a record is input from
/// anyone who can produce to the topic, and raw control characters in it
/// could move the cursor, recolour or retitle the terminal, or hide text.
///
/// Escaped (and nothing else changed):
/// - C0 controls and DEL as `\x00`…`\x1f`, `\x7f` (ESC is `\x1b`);
/// - C1 controls (U+0080…U+009F), the line and paragraph separators
///   (U+2028, U+2029) and the bidirectional overrides and isolates
///   (U+202A…U+202E, U+2066…U+2069) as `\u{85}`, `\u{202e}`;
/// - the backslash itself as `\\`, so an escape in the output is never
///   ambiguous with the same text in the record.
enum TerminalText {
    /// `text` with every character listed above escaped.
    static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var output = ""
        output.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars {
            guard needsEscape(scalar) else { output.unicodeScalars.append(scalar); continue }
            let hex = String(scalar.value, radix: 16)
            switch scalar.value {
            case 0x5C: output += "\\\\"
            case 0x00...0x1F, 0x7F: output += "\\x" + (hex.count < 2 ? "0" : "") + hex
            default: output += "\\u{" + hex + "}"
            }
        }
        return output
    }

    private static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x5C, 0x7F...0x9F, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }
}
