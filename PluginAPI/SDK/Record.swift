import Foundation

/// One consumed record with its value decoded, handed to ``Agent/handle(_:context:)``.
/// Owns its data, so it may be kept: the SDK copies a batch's keys into one
/// buffer the batch's records share (see ``key``), and its headers only when
/// there are any.
public struct Record<Value> {
    /// The decoded value.
    public let value: Value
    @usableFromInline let keyStorage: RecordKeyStorage
    /// The record's headers (an empty array, not allocated, when there are none).
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
        self.init(value: value, keyStorage: .owned(key), headers: headers, topic: topic, partition: partition,
                  offset: offset, timestampMilliseconds: timestampMilliseconds)
    }

    @inlinable // into the per-record loop, compiled for the agent's input type
    init(value: Value, keyStorage: RecordKeyStorage, headers: [RecordHeader], topic: String, partition: Int32,
         offset: Int64, timestampMilliseconds: Int64) {
        self.value = value
        self.keyStorage = keyStorage
        self.headers = headers
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.timestampMilliseconds = timestampMilliseconds
    }

    /// The key's bytes; `nil` for a null key. A new array on every use (the
    /// SDK does not copy each key on its own): to read or forward the key
    /// without one, use ``withKey(_:)``.
    public var key: [UInt8]? {
        switch keyStorage {
        case .owned(let key): return key
        case .batch(let keys, let range): return Array(keys.bytes[range])
        }
    }

    /// Calls `body` with the key's bytes, borrowed (`nil` for a null key);
    /// `UnsafeRawBufferPointer` is ``RecordBytes``, so it can be produced as
    /// a key as it is: `try record.withKey { try context.produce(topic: t, key: $0, value: v) }`.
    public func withKey<Result>(_ body: (UnsafeRawBufferPointer?) throws -> Result) rethrows -> Result {
        switch keyStorage {
        case .owned(let key):
            guard let key else { return try body(nil) }
            return try key.withUnsafeBytes { try body($0) }
        case .batch(let keys, let range):
            return try keys.bytes.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[range])) }
        }
    }

    /// The key as UTF-8 text (invalid sequences repaired).
    public var keyString: String? { withKey { $0.map { String(decoding: $0, as: UTF8.self) } } }
    /// The record timestamp.
    public var timestamp: Date { Date(timeIntervalSince1970: Double(timestampMilliseconds) / 1000) }
    /// The first header named `name`.
    public func header(_ name: String) -> RecordHeader? { headers.first { $0.name == name } }
}

extension Record: Sendable where Value: Sendable {}
