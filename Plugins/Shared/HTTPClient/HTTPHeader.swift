/// One HTTP header field, as sent or as received.
public struct HTTPHeader: Sendable, Equatable, Hashable {
    /// The field name, e.g. `Content-Type` (compare case-insensitively).
    public var name: String
    /// The field value, without surrounding whitespace.
    public var value: String

    /// A header `name: value`.
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}
