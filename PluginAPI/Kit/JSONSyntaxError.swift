/// A text that is not JSON: where parsing stopped and what it expected there.
public struct JSONSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Byte offset in the input.
    public let offset: Int
    /// What would have been valid at ``offset`` (`"',' or '}'"`).
    public let expected: String

    /// `malformed JSON at byte 12: expected ',' or '}'`.
    public var description: String { "malformed JSON at byte \(offset): expected \(expected)" }
}
