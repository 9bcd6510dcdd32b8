import Foundation

/// Encodes `Encodable` values as compact JSON straight into a byte buffer:
/// what ``AgentContext/produce(topic:key:json:headers:partition:)`` uses in
/// place of Foundation's `JSONEncoder`, which builds a tree first.
///
/// Members are written in the order `encode(to:)` encodes them (synthesized
/// conformances: declaration order). Strings are quoted by the plugin kit's
/// `JSONText`; integers are exact; `Double` and `Float` are written as the
/// shortest text that reads back the same, and NaN or an infinity is refused
/// (as `JSONEncoder` does by default); `Date` as its own `Encodable` writes
/// it, `Decimal` as a number, `URL` as its string, `Data` as base64.
///
/// Containers are written as they are used, so a container must be finished
/// before its parent writes again (synthesized conformances always are);
/// writing into a container after its parent moved on throws
/// `EncodingError.invalidValue`.
public final class RecordEncoder {
    private let writer: JSONWriter
    private let userInfo: [CodingUserInfoKey: any Sendable]
    /// A value is being encoded, or its text lent: an `encode(to:)` or a
    /// `body` that encodes with this encoder again gets a fresh one, so
    /// the text being written or read is not overwritten.
    private var busy = false

    /// An encoder; `userInfo` reaches every `encode(to:)`.
    public init(userInfo: [CodingUserInfoKey: any Sendable] = [:]) {
        self.userInfo = userInfo
        writer = JSONWriter(userInfo: userInfo)
    }

    deinit {
        writer.forgetKeptContainer()
    }

    /// The JSON text of `value`.
    public func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        try withEncoded(value) { Array($0) }
    }

    /// Calls `body` with the JSON text of `value`, borrowed from the
    /// encoder's buffer (kept for the next value).
    public func withEncoded<T: Encodable, Result>(_ value: T, _ body: (UnsafeRawBufferPointer) throws -> Result) throws -> Result {
        guard !busy else { return try RecordEncoder(userInfo: userInfo).withEncoded(value, body) }
        busy = true
        defer { busy = false }
        try writer.encodeTopLevel(value)
        return try writer.output.withUnsafeBytes(body)
    }
}
