/// One JSON value located in its text without building a tree: what it is
/// and where. ``JSONFieldLookup`` finds these; nothing is allocated.
public struct JSONToken: Sendable, Equatable {
    /// The kind of value.
    public enum Kind: Sendable, Equatable {
        /// A string; `escaped` tells whether its content holds escapes.
        case string(escaped: Bool)
        /// A number (already checked against JSON's grammar).
        case number
        /// `true` or `false`.
        case bool(Bool)
        /// `null`.
        case null
        /// An array.
        case array
        /// An object.
        case object
    }

    /// What the value is.
    public let kind: Kind
    /// A string's bytes between its quotes; any other value's whole text
    /// (empty for `true`, `false` and `null` made from a ``JSONNode``, which
    /// does not keep their position).
    public let range: Range<Int>

    /// A token of `kind` at `range`.
    public init(kind: Kind, range: Range<Int>) {
        self.kind = kind
        self.range = range
    }

    /// The token of a parsed node (its kind and range).
    public init(_ node: JSONNode) {
        switch node {
        case .string(let range, let escaped): self.init(kind: .string(escaped: escaped), range: range)
        case .number(let range): self.init(kind: .number, range: range)
        case .bool(let flag): self.init(kind: .bool(flag), range: 0..<0)
        case .null: self.init(kind: .null, range: 0..<0)
        case .array(_, let source): self.init(kind: .array, range: source)
        case .object(_, let source): self.init(kind: .object, range: source)
        }
    }
}
