/// The storage layout of windowed tables, shared with the C helpers: every
/// host and SDK reads the same bytes.
///
/// - A window's entry for `key` is stored under `"<key>@<start>"`, where
///   `<start>` is the window start in epoch milliseconds as 16 zero-padded
///   decimal digits.
/// - The window's index entry is `"\u{1}<start>/<key>"` with an empty value,
///   in the same table, written when the (key, window) is first touched.
///   Byte 0x01 sorts before every printable key, so closing a window is one
///   range scan of the prefix `"\u{1}<start>/"`.
/// - Its close timers, one on stream time and one on the wall clock, both due
///   at window end + grace, have the key `"w/<table>/<start>"`.
enum WindowKeys {
    /// `start` as 16 zero-padded decimal digits.
    static func digits(_ start: Int64) -> String {
        String(start).leftPadded(to: 16)
    }

    static func entry(key: String, start: Int64) -> String { key + "@" + digits(start) }

    static func index(key: String, start: Int64) -> String { "\u{1}" + digits(start) + "/" + key }

    /// The first key of a window's index entries.
    static func indexStart(_ start: Int64) -> String { "\u{1}" + digits(start) + "/" }

    /// Just past the last key of a window's index entries (`0` follows `/`).
    static func indexEnd(_ start: Int64) -> String { "\u{1}" + digits(start) + "0" }

    static func timer(table: String, start: Int64) -> String { "w/" + table + "/" + digits(start) }

    /// The table and window start of a window timer key; nil for another key.
    static func parseTimer(_ key: String) -> (table: String, start: Int64)? {
        guard key.hasPrefix("w/") else { return nil }
        let rest = key.dropFirst(2)
        guard let slash = rest.lastIndex(of: "/"), let start = Int64(rest[rest.index(after: slash)...]) else { return nil }
        return (String(rest[..<slash]), start)
    }

    /// The window start of an entry key `"<key>@<16 digits>"` of `key`; nil
    /// when the key is another key's entry.
    static func entryStart(_ entryKey: UnsafeRawBufferPointer, keyLength: Int) -> Int64? {
        guard entryKey.count == keyLength + 17, entryKey[keyLength] == UInt8(ascii: "@") else { return nil }
        var start: Int64 = 0
        for byte in entryKey[(keyLength + 1)...] {
            guard byte >= 0x30 && byte <= 0x39 else { return nil }
            start = start * 10 + Int64(byte - 0x30)
        }
        return start
    }

    /// The timer key of a declared timer.
    static func declaredTimer(_ name: String) -> String { "t/" + name }
    /// The timer key of a timer the agent scheduled.
    static func scheduledTimer(_ key: String) -> String { "u/" + key }
}
