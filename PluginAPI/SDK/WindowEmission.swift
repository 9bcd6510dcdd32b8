import Foundation

/// A window's value handed to ``Agent/windowEmitted(_:context:)``: when the
/// window closes (``WindowEmitPolicy/onClose``) or after each update
/// (``WindowEmitPolicy/onUpdate``).
public struct WindowEmission: Sendable {
    /// The windowed table.
    public let table: String
    /// The table key.
    public let key: String
    /// The window start, epoch milliseconds (inclusive).
    public let windowStart: Int64
    /// The window end, epoch milliseconds (exclusive).
    public let windowEnd: Int64
    /// True when the window closed (the value is final).
    public let isFinal: Bool
    /// The value's JSON text, as stored.
    public let valueJSON: [UInt8]

    /// The value decoded as `type`.
    public func value<V: Decodable>(as type: V.Type = V.self) throws -> V {
        try RecordDecoder().decode(type, from: valueJSON)
    }
}
