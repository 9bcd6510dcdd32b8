#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The rules for the tables a descriptor declares (ABI 1.2 `tables`): each
/// name `[a-z0-9_]{1,64}`, none starting with `__` (the host's own tables,
/// such as its offsets, live beside the agent's), none twice, at most 64.
///
/// The store names a table's changelog and files after it, which is why the
/// alphabet is narrow; the limit keeps one agent's partition from needing
/// an unbounded number of changelogs.
enum PluginTableRule {
    /// The most tables one agent may declare.
    static let maximumTableCount = 64
    /// The longest table name.
    static let maximumNameLength = 64
    /// The prefix of the host's own tables.
    static let reservedPrefix = "__"

    /// Reads and checks the NULL-terminated `array` (NULL: no tables), in
    /// declaration order. Reads at most 65 names of at most 65 bytes, so an
    /// unterminated array or name cannot run away.
    static func tables(_ array: UnsafePointer<UnsafePointer<CChar>?>?,
                       refuse: (PluginRefusal.Reason, String) -> PluginRefusal) throws(PluginRefusal) -> [String] {
        guard let array else { return [] }
        var tables: [String] = []
        var index = 0
        while let pointer = array[index] {
            guard tables.count < maximumTableCount else {
                throw refuse(.tooManyTables, "more than \(maximumTableCount) tables declared (expected at most \(maximumTableCount) tables)")
            }
            let name = try checkedName(pointer, refuse: refuse)
            if tables.contains(name) {
                throw refuse(.duplicateTable, "table \(name.debugDescription) is declared twice (expected each table once)")
            }
            tables.append(name)
            index += 1
        }
        return tables
    }

    private static func checkedName(_ pointer: UnsafePointer<CChar>,
                                    refuse: (PluginRefusal.Reason, String) -> PluginRefusal) throws(PluginRefusal) -> String {
        let expected = "expected 1-\(maximumNameLength) characters from [a-z0-9_]"
        let length = strnlen(pointer, maximumNameLength + 1)
        let bytes = UnsafeRawBufferPointer(start: pointer, count: length)
        let allowed = bytes.allSatisfy { byte in
            (0x61...0x7a).contains(byte) || (0x30...0x39).contains(byte) || byte == 0x5f
        }
        let text = String(decoding: bytes, as: UTF8.self)
        guard length >= 1, length <= maximumNameLength, allowed else {
            let shown = length > maximumNameLength
                ? "\(String(text.prefix(maximumNameLength)).debugDescription)... (over \(maximumNameLength) bytes)"
                : text.debugDescription
            throw refuse(.invalidTableName, "invalid table name \(shown) (\(expected))")
        }
        guard !text.hasPrefix(reservedPrefix) else {
            throw refuse(.invalidTableName,
                         "invalid table name \(text.debugDescription): names starting with \"\(reservedPrefix)\" are reserved for the host (expected 1-\(maximumNameLength) characters from [a-z0-9_], not starting with \"\(reservedPrefix)\")")
        }
        return text
    }
}
