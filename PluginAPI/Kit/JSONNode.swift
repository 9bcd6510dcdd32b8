/// A parsed JSON value whose strings and numbers still point into the parsed
/// bytes (byte ranges), so reading a record copies nothing until a value is
/// used. ``JSONValue`` is the owned form.
///
/// Why not Foundation's JSONSerialization: on Linux it cannot tell `true` from
/// `1`, it rewrites numbers (`1.10` → `1.1`), and it copies every string.
public indirect enum JSONNode: Sendable {
    /// A string: its bytes between the quotes, and whether they contain escapes.
    case string(Range<Int>, escaped: Bool)
    /// A number: its source text (already checked against JSON's grammar).
    case number(Range<Int>)
    /// `true` or `false`.
    case bool(Bool)
    /// `null`.
    case null
    /// An array's elements and its source text.
    case array([JSONNode], source: Range<Int>)
    /// An object's members in source order (keys decoded) and its source text.
    case object([(key: [UInt8], value: JSONNode)], source: Range<Int>)
}
