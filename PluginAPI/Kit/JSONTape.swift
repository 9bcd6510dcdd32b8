#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
///
/// A tape is a value: a copy keeps what it holds when the original parses
/// another text (the storage is copied on write, as an array's is).
public struct JSONTape: @unchecked Sendable {
    // @unchecked: the storage is mutated only through a uniquely referenced tape (see `parse`).

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

    /// The entries in memory of their own rather than in an `Array`: the
    /// parser appends four or more per record and a decoder reads each
    /// several times, and an array's uniqueness and capacity checks and its
    /// reference counting were a sizeable share of that. `Entry` is a trivial
    /// type, so nothing needs deinitializing.
    private final class Storage {
        var base: UnsafeMutablePointer<Entry>
        var capacity: Int
        var count = 0

        init(capacity: Int) {
            base = .allocate(capacity: capacity)
            self.capacity = capacity
        }

        deinit { base.deallocate() }

        /// Appends `entry`; answers its index.
        func append(_ entry: Entry) -> Int {
            if count == capacity { grow() }
            (base + count).initialize(to: entry)
            count += 1
            return count - 1
        }

        private func grow() {
            let larger = UnsafeMutablePointer<Entry>.allocate(capacity: capacity * 2)
            larger.moveInitialize(from: base, count: count)
            base.deallocate()
            base = larger
            capacity *= 2
        }
    }

    private var storage = Storage(capacity: 16)

    /// An empty tape.
    public init() {}

    /// The values, in source order (empty until a successful ``parse(_:)``).
    /// A copy: readers on a hot path use ``unsafeEntries``.
    public var entries: [Entry] { Array(unsafeEntries) }

    /// How many values the tape holds.
    public var count: Int { storage.count }

    /// The values in place, without a copy. Valid while this tape (or a copy
    /// of it) is alive and until it parses another text: a reader that holds
    /// the tape while it reads, as a decoder does, may keep the buffer.
    public var unsafeEntries: UnsafeBufferPointer<Entry> {
        UnsafeBufferPointer(start: storage.base, count: storage.count)
    }

    /// Parses `bytes` (one JSON value, surrounding whitespace allowed) into
    /// this tape, replacing what it held; the same grammar and errors as
    /// ``JSONParser/parse(_:)``. On error the tape is empty.
    public mutating func parse(_ bytes: UnsafeRawBufferPointer) throws(JSONSyntaxError) {
        // A copy of this tape may still read the old entries: leave them to it.
        if !isKnownUniquelyReferenced(&storage) { storage = Storage(capacity: storage.capacity) }
        let storage = self.storage
        storage.count = 0
        var parser = JSONParser(bytes: bytes)
        parser.skipWhitespace()
        do {
            try Self.append(&parser, to: storage, key: 0..<0, keyEscaped: false, depth: 0)
            try parser.expectEnd()
        } catch {
            storage.count = 0
            throw error
        }
    }

    /// The index of the member named `key` (UTF-8, compared with the decoded
    /// key) of the object at `object`, the last occurrence as in
    /// ``JSONParser/lastMember(named:of:in:)``; nil when absent.
    public func member(named key: UnsafeRawBufferPointer, of object: Int, in bytes: UnsafeRawBufferPointer) -> Int? {
        withExtendedLifetime(storage) { Self.member(named: key, of: object, in: unsafeEntries, bytes: bytes) }
    }

    /// ``member(named:of:in:)`` over entries a reader holds (``unsafeEntries``):
    /// typed decoding asks once per field of every record.
    public static func member(named key: UnsafeRawBufferPointer, of object: Int, in entries: UnsafeBufferPointer<Entry>,
                              bytes: UnsafeRawBufferPointer) -> Int? {
        precondition(object >= 0 && object < entries.count, "no value \(object) on a tape of \(entries.count)")
        var found: Int?
        var child = object + 1
        for _ in 0..<entries[object].childCount {
            let entry = entries[child]
            if entry.keyEscaped {
                if JSONSpan(kind: .string(escaped: true), range: entry.key).isString(key, in: bytes) { found = child }
            } else if entry.key.count == key.count,
                      key.isEmpty || memcmp(key.baseAddress!, bytes.baseAddress! + entry.key.lowerBound, key.count) == 0 {
                found = child
            }
            child = entry.next
        }
        return found
    }

    /// Appends one value (and its subtree) read from where `parser` stands.
    private static func append(_ parser: inout JSONParser, to storage: Storage, key: Range<Int>, keyEscaped: Bool,
                               depth: Int) throws(JSONSyntaxError) {
        guard depth < JSONParser.maximumDepth else { throw parser.error("at most \(JSONParser.maximumDepth) levels of nesting") }
        var children = 0
        let value: JSONSpan
        let index: Int
        switch parser.current {
        case UInt8(ascii: "{"):
            index = storage.append(Entry(value: JSONSpan(kind: .object, range: 0..<0), key: key, keyEscaped: keyEscaped,
                                         next: 0, childCount: 0))
            let source = try parser.scanMembers(depth: depth) { parser, name, escaped throws(JSONSyntaxError) in
                try append(&parser, to: storage, key: name, keyEscaped: escaped, depth: depth + 1)
                children += 1
            }
            value = JSONSpan(kind: .object, range: source)
        case UInt8(ascii: "["):
            index = storage.append(Entry(value: JSONSpan(kind: .array, range: 0..<0), key: key, keyEscaped: keyEscaped,
                                         next: 0, childCount: 0))
            let source = try parser.scanElements(depth: depth) { parser throws(JSONSyntaxError) in
                try append(&parser, to: storage, key: 0..<0, keyEscaped: false, depth: depth + 1)
                children += 1
            }
            value = JSONSpan(kind: .array, range: source)
        default:
            let scalar = try parser.scanScalar()
            _ = storage.append(Entry(value: scalar, key: key, keyEscaped: keyEscaped, next: storage.count + 1, childCount: 0))
            return
        }
        storage.base[index] = Entry(value: value, key: key, keyEscaped: keyEscaped, next: storage.count, childCount: children)
    }
}
