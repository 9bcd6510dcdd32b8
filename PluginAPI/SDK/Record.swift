import Foundation

/// One consumed record with its value decoded, handed to ``Agent/handle(_:context:)``.
/// Owns its data (the key and headers are copied), so it may be kept.
public struct Record<Value> {
    /// The decoded value.
    public let value: Value
    /// The key's bytes; `nil` for a null key.
    public let key: [UInt8]?
    /// The record's headers.
    public let headers: [RecordHeader]
    /// The topic it was consumed from.
    public let topic: String
    /// The partition it was consumed from.
    public let partition: Int32
    /// Its offset in the partition.
    public let offset: Int64
    /// The record timestamp in milliseconds since the epoch.
    public let timestampMilliseconds: Int64

    /// Makes a record (the SDK makes them; tests may too).
    public init(value: Value, key: [UInt8]?, headers: [RecordHeader] = [], topic: String, partition: Int32,
                offset: Int64, timestampMilliseconds: Int64) {
        self.value = value
        self.key = key
        self.headers = headers
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.timestampMilliseconds = timestampMilliseconds
    }

    /// The key as UTF-8 text.
    public var keyString: String? { key.map { String(decoding: $0, as: UTF8.self) } }
    /// The record timestamp.
    public var timestamp: Date { Date(timeIntervalSince1970: Double(timestampMilliseconds) / 1000) }
    /// The first header named `name`.
    public func header(_ name: String) -> RecordHeader? { headers.first { $0.name == name } }
}

extension Record: Sendable where Value: Sendable {}
