import CSluicePlugin
import Foundation

/// A borrowed, zero-copy view of one consumed message.
///
/// Valid only while its batch is: during ``BatchAgent/handle(_:)``, or until
/// the ``PendingBatch`` is completed. Copy what you keep longer (``keyBytes``,
/// ``valueData``, ``valueString``).
public struct Message {
    @usableFromInline let raw: UnsafePointer<sluice_message>

    @usableFromInline init(raw: UnsafePointer<sluice_message>) { self.raw = raw }

    /// The message's offset in its partition.
    @inlinable public var offset: Int64 { raw.pointee.offset }
    /// The record timestamp in milliseconds since the epoch.
    @inlinable public var timestampMilliseconds: Int64 { raw.pointee.timestamp_ms }
    /// The record timestamp.
    public var timestamp: Date { Date(timeIntervalSince1970: Double(timestampMilliseconds) / 1000) }

    /// The key's bytes, borrowed; `nil` for a null key.
    public var key: UnsafeRawBufferPointer? {
        raw.pointee.key.map { UnsafeRawBufferPointer(start: $0, count: raw.pointee.key_len) }
    }
    /// The value's bytes, borrowed; `nil` for a null value (a tombstone).
    @inlinable public var value: UnsafeRawBufferPointer? {
        raw.pointee.value.map { UnsafeRawBufferPointer(start: $0, count: raw.pointee.value_len) }
    }

    /// The key as UTF-8 text (a copy; invalid sequences repaired).
    public var keyString: String? { key.map { String(decoding: $0, as: UTF8.self) } }
    /// The value as UTF-8 text (a copy; invalid sequences repaired).
    public var valueString: String? { value.map { String(decoding: $0, as: UTF8.self) } }
    /// The key's bytes, copied.
    public var keyBytes: [UInt8]? { key.map { Array($0) } }
    /// The value's bytes, copied.
    public var valueData: Data? { value.map { Data($0) } }

    /// The value as `Data` **without copying**: valid only as long as the
    /// message is (for a decoder that does not keep it).
    public var borrowedValueData: Data? {
        raw.pointee.value.map {
            Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: $0), count: raw.pointee.value_len, deallocator: .none)
        }
    }

    /// The message's headers, borrowed.
    public var headers: MessageHeaders {
        MessageHeaders(base: raw.pointee.headers, count: raw.pointee.header_count)
    }

    /// The headers copied for a ``Record``: an empty array, not allocated, when there are none.
    @inlinable var recordHeaders: [RecordHeader] {
        raw.pointee.header_count == 0 ? [] : copiedHeaders()
    }

    @usableFromInline func copiedHeaders() -> [RecordHeader] { headers.map(\.owned) }
}
