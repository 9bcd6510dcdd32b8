/// A validating JSON parser (RFC 8259) over borrowed bytes. It produces a
/// ``JSONNode`` tree of byte ranges; ``JSONValue/parse(_:)`` builds the owned form.
///
/// Written here because Foundation's parser cannot tell `true` from `1` on
/// Linux, rewrites numbers (`1.10` → `1.1`, large integers through `Double`)
/// and copies every string; plugins need numbers exactly as written.
public struct JSONParser {
    /// Nesting deeper than this is refused: a hostile record must not overflow the stack.
    public static let maximumDepth = 128

    // Internal, not private: JSONFieldLookup scans with the same primitives.
    let bytes: UnsafeRawBufferPointer
    var position = 0

    init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    /// Parses the whole text (surrounding whitespace allowed) as one value.
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws(JSONSyntaxError) -> JSONNode {
        var parser = JSONParser(bytes: bytes)
        parser.skipWhitespace()
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        guard parser.position == bytes.count else { throw parser.error("end of text") }
        return value
    }

    func error(_ expected: String) -> JSONSyntaxError { JSONSyntaxError(offset: position, expected: expected) }

    var current: UInt8? { position < bytes.count ? bytes[position] : nil }

    mutating func skipWhitespace() {
        while let byte = current, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { position += 1 }
    }

    private mutating func parseValue(depth: Int) throws(JSONSyntaxError) -> JSONNode {
        guard depth < Self.maximumDepth else { throw error("at most \(Self.maximumDepth) levels of nesting") }
        guard let byte = current else { throw error("a value") }
        switch byte {
        case UInt8(ascii: "{"): return try parseObject(depth: depth)
        case UInt8(ascii: "["): return try parseArray(depth: depth)
        case UInt8(ascii: "\""):
            let (range, escaped) = try parseString()
            return .string(range, escaped: escaped)
        case UInt8(ascii: "t"): try expectWord("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectWord("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectWord("null"); return .null
        default:
            let start = position
            guard JSONNumberGrammar.scan(bytes, from: &position) else { throw error("a value") }
            return .number(start..<position)
        }
    }

    mutating func expectWord(_ word: StaticString) throws(JSONSyntaxError) {
        let text = UnsafeRawBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        guard position + text.count <= bytes.count,
              text.indices.allSatisfy({ bytes[position + $0] == text[$0] }) else { throw error("'\(word)'") }
        position += text.count
    }

    private mutating func parseObject(depth: Int) throws(JSONSyntaxError) -> JSONNode {
        let start = position
        position += 1
        var members: [(key: [UInt8], value: JSONNode)] = []
        skipWhitespace()
        if current == UInt8(ascii: "}") { position += 1; return .object(members, source: start..<position) }
        while true {
            skipWhitespace()
            guard current == UInt8(ascii: "\"") else { throw error("a string key") }
            let (range, escaped) = try parseString()
            let key = escaped ? JSONStrings.unescape(bytes, range) : Array(bytes[range])
            skipWhitespace()
            guard current == UInt8(ascii: ":") else { throw error("':'") }
            position += 1
            skipWhitespace()
            members.append((key, try parseValue(depth: depth + 1)))
            skipWhitespace()
            if current == UInt8(ascii: ",") { position += 1; continue }
            if current == UInt8(ascii: "}") { position += 1; return .object(members, source: start..<position) }
            throw error("',' or '}'")
        }
    }

    private mutating func parseArray(depth: Int) throws(JSONSyntaxError) -> JSONNode {
        let start = position
        position += 1
        var elements: [JSONNode] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") { position += 1; return .array(elements, source: start..<position) }
        while true {
            skipWhitespace()
            elements.append(try parseValue(depth: depth + 1))
            skipWhitespace()
            if current == UInt8(ascii: ",") { position += 1; continue }
            if current == UInt8(ascii: "]") { position += 1; return .array(elements, source: start..<position) }
            throw error("',' or ']'")
        }
    }

    /// Scans a string starting at its opening quote; returns the range between
    /// the quotes and whether it holds escapes. Checks escapes and control
    /// characters; UTF-8 validity is left to the user of the text (Redis
    /// stores bytes; ``JSONValue`` repairs invalid sequences to U+FFFD).
    mutating func parseString() throws(JSONSyntaxError) -> (Range<Int>, Bool) {
        position += 1
        let start = position
        var escaped = false
        while let byte = current {
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
