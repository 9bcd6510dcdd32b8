/// A parsed JSON value that owns its text and keeps numbers as the text they
/// were written as, so a price or a quantity passes through without a round
/// trip via `Double` (and an integer can be told from a float, which line
/// protocol cares about). ``JSONNode`` is the borrowed, copy-free form.
public enum JSONValue: Sendable, Equatable {
    /// A string, unescaped.
    case string(String)
    /// A number, exactly as written in the source (valid JSON number syntax).
    case number(String)
    /// `true` or `false`.
    case bool(Bool)
    /// `null`.
    case null
    /// An array.
    case array([JSONValue])
    /// An object, members in source order (a repeated key keeps every occurrence).
    case object([(key: String, value: JSONValue)])

    /// Parses one JSON text (surrounding whitespace allowed, nothing else).
    public static func parse<Bytes: Collection>(_ bytes: Bytes) throws(JSONSyntaxError) -> JSONValue
    where Bytes.Element == UInt8 {
        // withUnsafeBytes rethrows untyped errors: carry the outcome out as a value.
        let outcome: Result<JSONValue, JSONSyntaxError> = Array(bytes).withUnsafeBytes { buffer in
            Result { () throws(JSONSyntaxError) in JSONValue(try JSONParser.parse(buffer), in: buffer) }
        }
        return try outcome.get()
    }

    /// Parses UTF-8 text.
    public static func parse(_ text: String) throws(JSONSyntaxError) -> JSONValue {
        try parse(Array(text.utf8))
    }

    /// The owned copy of `node`, a node parsed from `bytes`. Invalid UTF-8
    /// inside strings becomes U+FFFD.
    public init(_ node: JSONNode, in bytes: UnsafeRawBufferPointer) {
        switch node {
        case .string(let range, let escaped):
            let content = escaped ? JSONStrings.unescape(bytes, range) : Array(bytes[range])
            self = .string(String(decoding: content, as: UTF8.self))
        case .number(let range): self = .number(String(decoding: bytes[range], as: UTF8.self))
        case .bool(let flag): self = .bool(flag)
        case .null: self = .null
        case .array(let elements, _): self = .array(elements.map { JSONValue($0, in: bytes) })
        case .object(let members, _):
            self = .object(members.map { (String(decoding: $0.key, as: UTF8.self), JSONValue($0.value, in: bytes)) })
        }
    }

    /// The member `key` of an object (the last occurrence, as most parsers do), or nil.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.last { $0.key == key }?.value
    }

    /// The value at a dotted path (`"a.b"` looks up `b` inside `a`); a key that
    /// itself contains a dot is found first as a whole.
    public func value(atPath path: String) -> JSONValue? {
        if let direct = self[path] { return direct }
        var current: JSONValue? = self
        for part in path.split(separator: ".", omittingEmptySubsequences: false) {
            current = current?[String(part)]
            if current == nil { return nil }
        }
        return current
    }

    /// The string, if this is a string.
    public var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// The text of a string or number (what a key field like an order id needs).
    public var scalarText: String? {
        switch self {
        case .string(let text), .number(let text): text
        case .bool(let flag): flag ? "true" : "false"
        default: nil
        }
    }

    /// Compact JSON text of the value.
    public var jsonText: String {
        var out = ""
        write(to: &out)
        return out
    }

    private func write(to out: inout String) {
        switch self {
        case .string(let text): out += JSONValue.quoted(text)
        case .number(let text): out += text
        case .bool(let flag): out += flag ? "true" : "false"
        case .null: out += "null"
        case .array(let items):
            out += "["
            for (index, item) in items.enumerated() {
                if index > 0 { out += "," }
                item.write(to: &out)
            }
            out += "]"
        case .object(let members):
            out += "{"
            for (index, member) in members.enumerated() {
                if index > 0 { out += "," }
                out += JSONValue.quoted(member.key)
                out += ":"
                member.value.write(to: &out)
            }
            out += "}"
        }
    }

    /// `text` as a JSON string literal (see ``JSONText/quoted(_:)``).
    public static func quoted(_ text: String) -> String { JSONText.quoted(text) }

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.string(let a), .string(let b)), (.number(let a), .number(let b)): a == b
        case (.bool(let a), .bool(let b)): a == b
        case (.null, .null): true
        case (.array(let a), .array(let b)): a == b
        case (.object(let a), .object(let b)):
            a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: false
        }
    }
}
