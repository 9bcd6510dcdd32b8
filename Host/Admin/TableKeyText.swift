/// A table key (any bytes) quoted for a message or a log line: printable
/// ASCII as itself, `"` and `\` escaped with a backslash, every other byte as
/// `\xNN`, so a key can neither drive a terminal nor forge a log line.
enum TableKeyText {
    /// `"key"` with the escapes above.
    static func quoted(_ key: [UInt8]) -> String {
        var text = "\""
        text.reserveCapacity(key.count + 2)
        for byte in key {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                text += "\\" + String(UnicodeScalar(byte))
            case 0x20...0x7E:
                text.unicodeScalars.append(UnicodeScalar(byte))
            default:
                text += "\\x" + (byte < 0x10 ? "0" : "") + String(byte, radix: 16)
            }
        }
        return text + "\""
    }

    /// Partition numbers as ranges: `0-3,5`; `none` when empty.
    static func partitions(_ numbers: [Int32]) -> String {
        let sorted = numbers.sorted()
        guard var start = sorted.first else { return "none" }
        var end = start
        var ranges: [String] = []
        for number in sorted.dropFirst() {
            if number == end + 1 { end = number; continue }
            ranges.append(start == end ? "\(start)" : "\(start)-\(end)")
            start = number
            end = number
        }
        ranges.append(start == end ? "\(start)" : "\(start)-\(end)")
        return ranges.joined(separator: ",")
    }
}
