import SluicePluginKit

/// The default of a ``ConfigurationKey``, written as a Swift literal:
/// `"redis://127.0.0.1:6379/0"`, `4`, `true`, `[["ZADD", "{user}"]]`, `[:]`.
public struct ConfigurationDefault: Sendable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByFloatLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral {
    /// The default as JSON.
    public let value: JSONValue

    /// A default of any JSON value.
    public init(_ value: JSONValue) { self.value = value }
    /// A string default.
    public init(stringLiteral value: String) { self.value = .string(value) }
    /// An integer default.
    public init(integerLiteral value: Int) { self.value = .number(String(value)) }
    /// A boolean default.
    public init(booleanLiteral value: Bool) { self.value = .bool(value) }
    /// A number default.
    public init(floatLiteral value: Double) { self.value = .number(JSONText.number(value)) }
    /// A list default.
    public init(arrayLiteral elements: ConfigurationDefault...) { self.value = .array(elements.map(\.value)) }
    /// A mapping default, keys in the order written.
    public init(dictionaryLiteral elements: (String, ConfigurationDefault)...) {
        self.value = .object(elements.map { (key: $0.0, value: $0.1.value) })
    }
}
