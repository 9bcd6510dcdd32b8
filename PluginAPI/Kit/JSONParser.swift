import CSluiceJSONScan

/// A validating JSON parser (RFC 8259) over borrowed bytes. It produces a
/// ``JSONNode`` tree of byte ranges (``JSONValue/parse(_:)`` builds the owned
/// form), or, with ``validate(_:)``, only checks the text and answers with
/// ``JSONSpan``s, building nothing.
///
/// Written here because Foundation's parser cannot tell `true` from `1` on
/// Linux, rewrites numbers (`1.10` → `1.1`, large integers through `Double`)
/// and copies every string; plugins need numbers exactly as written.
public struct JSONParser {
    /// Nesting deeper than this is refused: a hostile record must not overflow the stack.
    public static let maximumDepth = 128

    // Internal, not private, where JSONFieldLookup scans with the same grammar.
    let bytes: UnsafeRawBufferPointer
    /// Where the parser stands (internal: JSONTape's flat-record path steps over keys it already knows).
    var position = 0

    init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    /// Parses the whole text (surrounding whitespace allowed) as one value.
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws(JSONSyntaxError) -> JSONNode {
        var parser = JSONParser(bytes: bytes)
        parser.skipWhitespace()
        let value = try parser.parseValue(depth: 0)
        try parser.expectEnd()
        return value
    }

    /// Checks the whole text exactly as ``parse(_:)`` does (same errors) but
    /// builds no tree: the answer is where the top-level value lies. With
    /// ``lastMember(named:of:in:)`` a caller reads the values it needs
    /// without a single allocation.
    public static func validate(_ bytes: UnsafeRawBufferPointer) throws(JSONSyntaxError) -> JSONSpan {
        var parser = JSONParser(bytes: bytes)
        parser.skipWhitespace()
        let value = try parser.skipValue(depth: 0)
        try parser.expectEnd()
        return value
    }

    /// Calls `body` with each member of `object` (a span of bytes that passed
    /// ``validate(_:)``) in source order: the key (a string span) and the value.
    public static func forEachMember(of object: JSONSpan, in bytes: UnsafeRawBufferPointer,
                                     _ body: (_ key: JSONSpan, _ value: JSONSpan) -> Void) {
        guard object.kind == .object else { return }
        var parser = JSONParser(bytes: bytes)
        parser.position = object.range.lowerBound
        // Validated bytes cannot fail; depth counts from this object, so it stays under the limit.
        _ = try? parser.scanMembers(depth: 0) { parser, key, escaped throws(JSONSyntaxError) in
            body(JSONSpan(kind: .string(escaped: escaped), range: key), try parser.skipValue(depth: 1))
        }
    }

    /// The value of the member `key` (UTF-8, compared with the decoded key) of
    /// `object`; the last occurrence, as ``JSONValue``'s subscript. Nil when
    /// absent or when `object` is not an object.
    public static func lastMember(named key: [UInt8], of object: JSONSpan, in bytes: UnsafeRawBufferPointer) -> JSONSpan? {
        var found: JSONSpan?
        forEachMember(of: object, in: bytes) { name, value in
            if name.isString(key, in: bytes) { found = value }
        }
        return found
    }

    func error(_ expected: String) -> JSONSyntaxError { JSONSyntaxError(offset: position, expected: expected) }

    var current: UInt8? { position < bytes.count ? bytes[position] : nil }

    mutating func skipWhitespace() {
        while let byte = current, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { position += 1 }
    }

    mutating func expectEnd() throws(JSONSyntaxError) {
        skipWhitespace()
        guard position == bytes.count else { throw error("end of text") }
    }

    /// One value as a ``JSONNode`` tree.
    private mutating func parseValue(depth: Int) throws(JSONSyntaxError) -> JSONNode {
        guard depth < Self.maximumDepth else { throw error("at most \(Self.maximumDepth) levels of nesting") }
        switch current {
        case UInt8(ascii: "{"):
            var members: [(key: [UInt8], value: JSONNode)] = []
            let source = try scanMembers(depth: depth) { parser, key, escaped throws(JSONSyntaxError) in
                let name = escaped ? JSONStrings.unescape(parser.bytes, key) : Array(parser.bytes[key])
                members.append((name, try parser.parseValue(depth: depth + 1)))
            }
            return .object(members, source: source)
        case UInt8(ascii: "["):
            var elements: [JSONNode] = []
            let source = try scanElements(depth: depth) { parser throws(JSONSyntaxError) in
                elements.append(try parser.parseValue(depth: depth + 1))
            }
            return .array(elements, source: source)
        default:
            let scalar = try scanScalar()
            switch scalar.kind {
            case .string(let escaped): return .string(scalar.range, escaped: escaped)
            case .number: return .number(scalar.range)
            case .bool(let flag): return .bool(flag)
            default: return .null
            }
        }
    }

    /// One value checked and stepped over, nothing built.
    mutating func skipValue(depth: Int) throws(JSONSyntaxError) -> JSONSpan {
        guard depth < Self.maximumDepth else { throw error("at most \(Self.maximumDepth) levels of nesting") }
        switch current {
        case UInt8(ascii: "{"):
            let source = try scanMembers(depth: depth) { parser, _, _ throws(JSONSyntaxError) in
                _ = try parser.skipValue(depth: depth + 1)
            }
            return JSONSpan(kind: .object, range: source)
        case UInt8(ascii: "["):
            let source = try scanElements(depth: depth) { parser throws(JSONSyntaxError) in
                _ = try parser.skipValue(depth: depth + 1)
            }
            return JSONSpan(kind: .array, range: source)
        default:
            return try scanScalar()
        }
    }

    /// A string, number, `true`, `false` or `null` (internal: JSONTape reads scalars with it).
    mutating func scanScalar() throws(JSONSyntaxError) -> JSONSpan {
        let start = position
        switch current {
        case nil: throw error("a value")
        case UInt8(ascii: "\""):
            let (range, escaped) = try parseString()
            return JSONSpan(kind: .string(escaped: escaped), range: range)
        case UInt8(ascii: "t"): try expectWord("true"); return JSONSpan(kind: .bool(true), range: start..<position)
        case UInt8(ascii: "f"): try expectWord("false"); return JSONSpan(kind: .bool(false), range: start..<position)
        case UInt8(ascii: "n"): try expectWord("null"); return JSONSpan(kind: .null, range: start..<position)
        default:
            guard JSONNumberGrammar.scan(bytes, from: &position) else { throw error("a value") }
            return JSONSpan(kind: .number, range: start..<position)
        }
    }

    private mutating func expectWord(_ word: StaticString) throws(JSONSyntaxError) {
        let text = UnsafeRawBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        guard position + text.count <= bytes.count,
              text.indices.allSatisfy({ bytes[position + $0] == text[$0] }) else { throw error("'\(word)'") }
        position += text.count
    }

    /// The object grammar, from its `{`: calls `member` with each key (the
    /// range between its quotes, and whether it holds escapes) when the parser
    /// stands at the member's value, which `member` must consume. Returns the
    /// object's source text.
    mutating func scanMembers(
        depth: Int, _ member: (inout JSONParser, Range<Int>, Bool) throws(JSONSyntaxError) -> Void
    ) throws(JSONSyntaxError) -> Range<Int> {
        let start = position
        position += 1
        skipWhitespace()
        if current == UInt8(ascii: "}") { position += 1; return start..<position }
        while true {
            skipWhitespace()
            guard current == UInt8(ascii: "\"") else { throw error("a string key") }
            let (key, escaped) = try parseString()
            skipWhitespace()
            guard current == UInt8(ascii: ":") else { throw error("':'") }
            position += 1
            skipWhitespace()
            try member(&self, key, escaped)
            skipWhitespace()
            if current == UInt8(ascii: ",") { position += 1; continue }
            if current == UInt8(ascii: "}") { position += 1; return start..<position }
            throw error("',' or '}'")
        }
    }

    /// The array grammar, from its `[`: calls `element` when the parser
    /// stands at each element, which `element` must consume. Returns the
    /// array's source text.
    mutating func scanElements(
        depth: Int, _ element: (inout JSONParser) throws(JSONSyntaxError) -> Void
    ) throws(JSONSyntaxError) -> Range<Int> {
        let start = position
        position += 1
        skipWhitespace()
        if current == UInt8(ascii: "]") { position += 1; return start..<position }
        while true {
            skipWhitespace()
            try element(&self)
            skipWhitespace()
            if current == UInt8(ascii: ",") { position += 1; continue }
            if current == UInt8(ascii: "]") { position += 1; return start..<position }
            throw error("',' or ']'")
        }
    }

    /// Moves past the string's leading bytes that are neither '"', '\\' nor a
    /// control character (a string's text is most of a record), to the first
    /// byte that is one, or to the end: sixteen bytes at a time with SSE2
    /// (``sluice_json_plain_end``), elsewhere eight at a time in a word. A
    /// string usually ends inside the block that holds its closing quote, so
    /// the byte-wise scan after it starts right there. (The standard
    /// library's `SIMD16` compares lower to a loop over the lanes here,
    /// several times slower than these words.)
    @inline(__always)
    private mutating func skipPlainStringBytes() {
        guard let base = bytes.baseAddress else { return }
        #if arch(x86_64)
        position = sluice_json_plain_end(base.assumingMemoryBound(to: UInt8.self), position, bytes.count)
        #else
        let count = bytes.count
        var at = position
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        /// The high bit of each zero byte of `word`. Exact for the lowest
        /// zero byte (a borrow only runs upward from one), which is all the
        /// scan reads.
        func zeroBytes(_ word: UInt64) -> UInt64 { (word &- ones) & ~word & highs }
        while at + 8 <= count {
            let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: at, as: UInt64.self))
            // A byte below 0x20 (its high bit clear, and below after subtracting 0x20),
            // a quote (0x22) or a backslash (0x5C) ends the plain run; the same
            // borrow argument makes the lowest flagged byte exact.
            let control = (word &- ones &* 0x20) & ~word & highs
            let special = control | zeroBytes(word ^ (ones &* 0x22)) | zeroBytes(word ^ (ones &* 0x5C))
            if special != 0 {
                position = at + special.trailingZeroBitCount >> 3
                return
            }
            at += 8
        }
        position = at
        #endif
    }

    /// The common string, from its opening quote: plain text up to the
    /// closing quote, without escapes or control characters. Returns the
    /// range between the quotes and stands after the closing one; nil for
    /// any other string, standing where the plain text stops, from where
    /// ``parseString(after:)`` goes on. Inlined where records are read: most
    /// of a record's strings are plain.
    @inline(__always)
    mutating func scanPlainString() -> Range<Int>? {
        let start = position + 1
        position = start
        skipPlainStringBytes()
        guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { return nil }
        position += 1
        return start..<(position - 1)
    }

    /// Scans a string starting at its opening quote; returns the range between
    /// the quotes and whether it holds escapes. Checks escapes and control
    /// characters; UTF-8 validity is left to the user of the text (Redis
    /// stores bytes; ``JSONValue`` repairs invalid sequences to U+FFFD).
    mutating func parseString() throws(JSONSyntaxError) -> (Range<Int>, Bool) {
        let start = position + 1
        if let plain = scanPlainString() { return (plain, false) }
        return try parseString(after: start)
    }

    /// The rest of a string whose text starts at `start`, from where
    /// ``scanPlainString()`` stopped (internal: JSONTape's flat-record path
    /// goes on with it).
    mutating func parseString(after start: Int) throws(JSONSyntaxError) -> (Range<Int>, Bool) {
        var escaped = false
        while true {
            // After an escape or a lone byte near the end, plain text runs on.
            skipPlainStringBytes()
            guard let byte = current else { break }
            switch byte {
            case UInt8(ascii: "\""):
                let range = start..<position
                position += 1
                return (range, escaped)
            case UInt8(ascii: "\\"):
                escaped = true
                position += 1
                guard let next = current else { throw error("an escape") }
                switch next {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                     UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    position += 1
                case UInt8(ascii: "u"):
                    position += 1
                    for _ in 0..<4 {
                        guard let hex = current, JSONStrings.hexValue(hex) != nil else { throw error("4 hex digits after \\u") }
                        position += 1
                    }
                default: throw error("a valid escape")
                }
            case 0..<0x20: throw error("no control character inside a string")
            default: position += 1
            }
        }
        throw error("'\"' to close the string")
    }
}
