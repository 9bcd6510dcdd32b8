/// A record header, owned (for records the agent produces, and the headers of
/// a ``Record``). The value may hold any bytes.
public struct RecordHeader: Sendable, Hashable {
    /// The header name.
    public var name: String
    /// The header value's bytes.
    public var value: [UInt8]

    /// A header with raw bytes.
    public init(name: String, value: [UInt8]) {
        self.name = name
        self.value = value
    }

    /// A header whose value is a string's UTF-8.
    public init(name: String, value: String) {
        self.init(name: name, value: Array(value.utf8))
    }

    /// The value as UTF-8 text (invalid sequences repaired).
    public var stringValue: String { String(decoding: value, as: UTF8.self) }
}
