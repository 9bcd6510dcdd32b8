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
///
/// Records of a stream tend to share one shape. After parsing a flat object
/// (every member a string, number, `true`, `false` or `null`, no key with
/// escapes), the tape remembers its keys, and the next ``parse(_:)`` first
/// tries to read the same keys in the same order, comparing their bytes
/// instead of scanning each as a string (``FlatShape``). At the first
/// difference it parses the text in full instead, so the tape and the
/// errors are exactly those of a full parse; after a few such misses in a
/// row it stops trying until a shape repeats.
public struct JSONTape: @unchecked Sendable {
    // @unchecked: the storage is mutated only through a uniquely referenced tape (see `parse`).

    /// One value: its span, its key when it is an object member, and the
    /// index just past its subtree.
    public struct Entry: Sendable, Equatable {
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

        /// The keys of the latest flat top-level object, tried first by the next
        /// parse. Read and changed by `parse` only, on a uniquely referenced tape.
        @exclusivity(unchecked) var shape = FlatShape()
        /// Whether the latest parse took the flat path with distinct keys.
        var topLevelKeysDistinct = false
        /// Flat attempts that failed since the last that succeeded or the shape repeated.
        var flatMisses = 0
        /// Counts the shapes kept so far (see ``JSONTape/flatShapeGeneration``).
        var shapeGeneration: Int

        init(capacity: Int, shapeGeneration: Int = 0) {
            base = .allocate(capacity: capacity)
            self.capacity = capacity
            self.shapeGeneration = shapeGeneration
        }

        deinit {
            base.deallocate()
            shape.deallocate()
        }

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

    /// How many values the tape's storage holds before it grows (it keeps
    /// its size from text to text).
    public var entryCapacity: Int { storage.capacity }

    /// Whether the top-level value is an object whose keys are known to
    /// differ from one another, so that a lookup may stop at the first key
    /// that matches (``firstMember(named:of:hint:keysDistinct:in:bytes:)``). True
    /// after a parse that read a flat record of the remembered shape; false
    /// is always safe.
    public var topLevelKeysDistinct: Bool { storage.topLevelKeysDistinct }

    /// Changes whenever the remembered flat shape does (and when the tape's
    /// storage is replaced): two parses that both report
    /// ``topLevelKeysDistinct`` under the same generation read texts whose
    /// top-level keys are the same, in the same order, each member at index
    /// 1 + its position. A reader may then remember which key it found where.
    public var flatShapeGeneration: Int { storage.shapeGeneration }

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
        if !isKnownUniquelyReferenced(&storage) {
            // Fresh storage remembers no shape: a new generation, so none is taken for the old one.
            storage = Storage(capacity: storage.capacity, shapeGeneration: storage.shapeGeneration + 1)
        }
        let storage = self.storage
        if !storage.shape.isEmpty, storage.flatMisses < Self.flatMissesBeforePause {
            if Self.appendFlat(bytes, to: storage) {
                storage.flatMisses = 0
                storage.topLevelKeysDistinct = storage.shape.keysDistinct
                return
            }
            storage.flatMisses += 1
        }
        storage.topLevelKeysDistinct = false
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
        // A shape seen again is worth trying again, even after misses.
        if storage.shape.learn(from: UnsafeBufferPointer(start: storage.base, count: storage.count), bytes: bytes) {
            storage.flatMisses = 0
        } else {
            storage.shapeGeneration += 1
        }
    }

    /// Flat attempts that failed in a row before the tape stops trying
    /// until a shape repeats: texts of changing shapes are parsed once, not
    /// attempted first and parsed again.
    static let flatMissesBeforePause = 4

    /// Parses `bytes` as a flat object with exactly the keys of
    /// `storage.shape`, in order, into `storage`: the entries a full parse
    /// makes of it. False at the first byte that does not fit (another key,
    /// a nested value, a syntax error), leaving `storage` for a full parse.
    private static func appendFlat(_ bytes: UnsafeRawBufferPointer, to storage: Storage) -> Bool {
        let shape = storage.shape
        storage.count = 0
        var parser = JSONParser(bytes: bytes)
        parser.skipWhitespace()
        guard parser.current == UInt8(ascii: "{") else { return false }
        let start = parser.position
        parser.position += 1
        _ = storage.append(Entry(value: JSONSpan(kind: .object, range: 0..<0), key: 0..<0, keyEscaped: false,
                                 next: 0, childCount: 0))
        let last = shape.count - 1
        for index in 0...last {
            // The member grammar of JSONParser.scanMembers, with the key compared instead of scanned.
            parser.skipWhitespace()
            guard let key = shape.matchKey(index, in: bytes, quoteAt: parser.position) else { return false }
            parser.position = key.upperBound + 1
            parser.skipWhitespace()
            guard parser.current == UInt8(ascii: ":") else { return false }
            parser.position += 1
            parser.skipWhitespace()
            guard let first = parser.current, first != UInt8(ascii: "{"), first != UInt8(ascii: "[") else { return false }
            let value: JSONSpan
            do {
                // Most values of a record are strings: straight to the string grammar.
                if first == UInt8(ascii: "\"") {
                    let start = parser.position + 1
                    if let plain = parser.scanPlainString() {
                        value = JSONSpan(kind: .string(escaped: false), range: plain)
                    } else {
                        let (range, escaped) = try parser.parseString(after: start)
                        value = JSONSpan(kind: .string(escaped: escaped), range: range)
                    }
                } else {
                    value = try parser.scanScalar()
                }
            } catch {
                return false
            }
            _ = storage.append(Entry(value: value, key: key, keyEscaped: false, next: storage.count + 1, childCount: 0))
            parser.skipWhitespace()
            guard parser.current == (index == last ? UInt8(ascii: "}") : UInt8(ascii: ",")) else { return false }
            parser.position += 1
        }
        storage.base[0] = Entry(value: JSONSpan(kind: .object, range: start..<parser.position), key: 0..<0,
                                keyEscaped: false, next: storage.count, childCount: shape.count)
        parser.skipWhitespace()
        return parser.position == bytes.count
    }

    /// The index of the member named `key` (UTF-8, compared with the decoded
    /// key) of the object at `object`, the last occurrence as in
    /// ``JSONParser/lastMember(named:of:in:)``; nil when absent.
    public func member(named key: UnsafeRawBufferPointer, of object: Int, in bytes: UnsafeRawBufferPointer) -> Int? {
        withExtendedLifetime(storage) { Self.member(named: key, of: object, in: unsafeEntries, bytes: bytes) }
    }

    /// ``member(named:of:in:)`` over the entries in place.
    private static func member(named key: UnsafeRawBufferPointer, of object: Int, in entries: UnsafeBufferPointer<Entry>,
                               bytes: UnsafeRawBufferPointer) -> Int? {
        precondition(object >= 0 && object < entries.count, "no value \(object) on a tape of \(entries.count)")
        let base = entries.baseAddress!
        var found: Int?
        var child = object + 1
        while child < base[object].next {
            if keyMatches(base[child], key, bytes) { found = child }
            child = base[child].next
        }
        return found
    }

    /// The index of the first member named `key` (UTF-8, compared with the
    /// decoded key) of the object at `object`, over entries a reader holds
    /// (``unsafeEntries``): how Foundation's `JSONDecoder` reads a repeated
    /// key, and what typed decoding asks once per field of every record.
    ///
    /// `hint` is where the member likely is, tried first: -1, or the
    /// ``Entry/next`` of a child of `object` (the next child, or the
    /// object's end), as a decoder passes after finding a member, since
    /// fields are usually read in the order they were written. The hint is
    /// taken only when `keysDistinct` says the object's keys differ (as
    /// ``topLevelKeysDistinct`` says of the top-level object), so the answer
    /// never depends on it.
    public static func firstMember(named key: UnsafeRawBufferPointer, of object: Int, hint: Int = -1,
                                   keysDistinct: Bool = false, in entries: UnsafeBufferPointer<Entry>,
                                   bytes: UnsafeRawBufferPointer) -> Int? {
        precondition(object >= 0 && object < entries.count, "no value \(object) on a tape of \(entries.count)")
        let base = entries.baseAddress!
        let end = base[object].next
        // A hint past the object's start is one of its children: `next` of a child is the next child.
        if keysDistinct && hint > object && hint < end && keyMatches(base[hint], key, bytes) { return hint }
        var child = object + 1
        while child < end {
            if keyMatches(base[child], key, bytes) { return child }
            child = base[child].next
        }
        return nil
    }

    /// Whether the key of `entry`, unescaped, is `key`.
    @inline(__always)
    private static func keyMatches(_ entry: Entry, _ key: UnsafeRawBufferPointer, _ bytes: UnsafeRawBufferPointer) -> Bool {
        if entry.keyEscaped { return JSONSpan(kind: .string(escaped: true), range: entry.key).isString(key, in: bytes) }
        return entry.key.count == key.count
            && (key.isEmpty || bytesEqual(key.baseAddress!, bytes.baseAddress! + entry.key.lowerBound, count: key.count))
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
