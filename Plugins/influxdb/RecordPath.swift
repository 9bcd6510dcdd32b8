import SluicePluginKit

/// A configured record field (`symbol`, or a dotted path like `order.id`),
/// prepared once so that finding it in a record compares bytes and builds
/// nothing. Finds what ``JSONValue/value(atPath:)`` finds: the whole name as
/// a top-level key first, then the dotted parts one level at a time (the last
/// occurrence of a repeated key).
struct RecordPath: Sendable {
    /// The path as configured (for refusal texts).
    let name: String
    /// The path's UTF-8, the top-level key tried first.
    let key: [UInt8]
    /// The dot-separated parts when there is more than one (looked up after `key`).
    let parts: [[UInt8]]

    init(_ name: String) {
        self.name = name
        key = Array(name.utf8)
        let split = name.split(separator: ".", omittingEmptySubsequences: false)
        parts = split.count > 1 ? split.map { Array($0.utf8) } : []
    }

    /// The value at this path in the object `record` (parsed from `bytes`), or nil.
    func value(in record: JSONSpan, of bytes: UnsafeRawBufferPointer) -> JSONSpan? {
        if let direct = JSONParser.lastMember(named: key, of: record, in: bytes) { return direct }
        var current: JSONSpan? = parts.isEmpty ? nil : record
        for part in parts {
            guard let object = current else { return nil }
            current = JSONParser.lastMember(named: part, of: object, in: bytes)
        }
        return current
    }
}
