/// A parsed JSON value whose strings and numbers still point into the
/// message's bytes (byte ranges), so reading a record copies nothing until an
/// argument is rendered.
///
/// Why not Foundation's JSONSerialization: on Linux it cannot tell `true` from
/// `1`, it rewrites numbers (`1.10` → `1.1`), and it copies every string.
indirect enum JSONValue {
    /// A string: its bytes between the quotes, and whether they contain escapes.
    case string(Range<Int>, escaped: Bool)
    /// A number: its source text (already checked against JSON's grammar).
    case number(Range<Int>)
    case bool(Bool)
    case null
    /// An array's elements and its source text.
    case array([JSONValue], source: Range<Int>)
    /// An object's members in source order (keys decoded) and its source text.
    case object([(key: [UInt8], value: JSONValue)], source: Range<Int>)
}
