/// A validated JSON text as a flat list of values in source order, each with
/// where its subtree ends: what a `Decoder` walks without building a tree.
///
/// Parsing into a tape that is reused (``parse(_:)`` keeps the storage) costs
/// no allocation once the storage is large enough, unlike ``JSONNode`` (an
/// array per object) or ``JSONValue`` (a copy of every string).
///
/// Layout: entry 0 is the top-level value. An object's or array's children
/// follow it, each child's subtree before the next child; a child's
/// ``Entry/next`` is the index of its next sibling (or of whatever follows
/// the parent's subtree after the last child).
public struct JSONTape: Sendable {
    /// One value: its span, its key when it is an object member, and the
    /// index just past its subtree.
    public struct Entry: Sendable {
        /// The value's kind and source range.
        public let value: JSONSpan
        /// For an object member: the key's bytes between its quotes; empty otherwise.
        public let key: Range<Int>
        /// Whether the key holds backslash escapes.
        public let keyEscaped: Bool
        /// The index of the entry after this value's subtree.
        public let next: Int
        /// How many children an object or array has; 0 for a scalar.
        public let childCount: Int
    }

    /// The values, in source order (empty until a successful ``parse(_:)``).
    public private(set) var entries: [Entry] = []

    /// An empty tape.
    public init() {}

    /// Parses `bytes` (one JSON value, surrounding whitespace allowed) into
    /// this tape, replacing what it held; the same grammar and errors as
    /// ``JSONParser/parse(_:)``. On error the tape is empty.
    public mutating func parse(_ bytes: UnsafeRawBufferPointer) throws(JSONSyntaxError) {
        entries.removeAll(keepingCapacity: true)
        var parser = JSONParser(bytes: bytes)
        parser.skipWhitespace()
        do {
            try Self.append(&parser, to: &entries, key: 0..<0, keyEscaped: false, depth: 0)
            try parser.expectEnd()
        } catch {
            entries.removeAll(keepingCapacity: true)
            throw error
        }
    }

    /// The index of the member named `key` (UTF-8, compared with the decoded
    /// key) of the object at `object`, the last occurrence as in
    /// ``JSONParser/lastMember(named:of:in:)``; nil when absent.
    public func member(named key: UnsafeRawBufferPointer, of object: Int, in bytes: UnsafeRawBufferPointer) -> Int? {
        // Typed decoding asks once per field of every record: read the entries in place.
        entries.withUnsafeBufferPointer { entries in
            var found: Int?
            var child = object + 1
            for _ in 0..<entries[object].childCount {
                let entry = entries[child]
                if JSONSpan(kind: .string(escaped: entry.keyEscaped), range: entry.key).isString(key, in: bytes) {
                    found = child
                }
                child = entry.next
            }
            return found
        }
    }

    /// Appends one value (and its subtree) read from where `parser` stands.
    private static func append(_ parser: inout JSONParser, to entries: inout [Entry], key: Range<Int>, keyEscaped: Bool,
                               depth: Int) throws(JSONSyntaxError) {
        guard depth < JSONParser.maximumDepth else { throw parser.error("at most \(JSONParser.maximumDepth) levels of nesting") }
        let index = entries.count
        var children = 0
        let value: JSONSpan
        switch parser.current {
        case UInt8(ascii: "{"):
            entries.append(Entry(value: JSONSpan(kind: .object, range: 0..<0), key: key, keyEscaped: keyEscaped,
                                 next: 0, childCount: 0))
            let source = try parser.scanMembers(depth: depth) { parser, name, escaped throws(JSONSyntaxError) in
                try append(&parser, to: &entries, key: name, keyEscaped: escaped, depth: depth + 1)
                children += 1
            }
            value = JSONSpan(kind: .object, range: source)
        case UInt8(ascii: "["):
            entries.append(Entry(value: JSONSpan(kind: .array, range: 0..<0), key: key, keyEscaped: keyEscaped,
                                 next: 0, childCount: 0))
            let source = try parser.scanElements(depth: depth) { parser throws(JSONSyntaxError) in
                try append(&parser, to: &entries, key: 0..<0, keyEscaped: false, depth: depth + 1)
                children += 1
            }
            value = JSONSpan(kind: .array, range: source)
        default:
            entries.append(Entry(value: try parser.scanScalar(), key: key, keyEscaped: keyEscaped,
                                 next: index + 1, childCount: 0))
            return
        }
        entries[index] = Entry(value: value, key: key, keyEscaped: keyEscaped, next: entries.count, childCount: children)
    }
}
