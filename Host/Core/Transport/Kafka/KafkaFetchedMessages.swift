import CRdKafka
import CSluicePlugin
#if canImport(Glibc)
import Glibc
#endif

/// The payload owner of a `FetchedBatch` fetched from Kafka: the
/// `rd_kafka_message_t`s the batch's `sluice_message`s point into, and the
/// header arrays built for them. Nothing is copied: keys, values and header
/// bytes are librdkafka's own buffers, released (`rd_kafka_message_destroy`)
/// when the batch is.
final class KafkaFetchedMessages: @unchecked Sendable {
    // @unchecked: written once while the batch is built, then only read.
    private let handle: KafkaClientHandle
    private let messages: [UnsafeMutablePointer<rd_kafka_message_t>]
    private var headerArrays: [UnsafeMutableBufferPointer<sluice_header>] = []

    private init(handle: KafkaClientHandle, messages: [UnsafeMutablePointer<rd_kafka_message_t>]) {
        self.handle = handle
        self.messages = messages
    }

    deinit {
        for message in messages { rd_kafka_message_destroy(message) }
        for headers in headerArrays { headers.deallocate() }
    }

    /// A batch of `messages` (consecutive, one partition, ascending offsets),
    /// which it takes ownership of. `handle` stays alive as long as the batch.
    static func batch(source: TopicPartition, messages: [UnsafeMutablePointer<rd_kafka_message_t>],
                      handle: KafkaClientHandle) -> FetchedBatch {
        let owner = KafkaFetchedMessages(handle: handle, messages: messages)
        // The byte after each value (its record's header count) lies in memory
        // librdkafka's broker thread has just written, on another core: read
        // them all in a loop of their own, where the processor overlaps the
        // cache misses, instead of one miss per round of the loop below.
        var withHeaders: [Int] = []
        for index in messages.indices where !hasNoHeaders(messages[index].pointee) {
            withHeaders.append(index)
        }
        let views = UnsafeMutableBufferPointer<sluice_message>.allocate(capacity: messages.count)
        for (index, pointer) in messages.enumerated() {
            let message = pointer.pointee
            var type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
            let timestamp = rd_kafka_message_timestamp(pointer, &type)
            views.initializeElement(at: index, to: sluice_message(
                offset: message.offset,
                timestamp_ms: timestamp >= 0 ? timestamp : 0,
                key: message.key?.assumingMemoryBound(to: UInt8.self),
                key_len: message.key == nil ? 0 : message.key_len,
                value: message.payload?.assumingMemoryBound(to: UInt8.self),
                value_len: message.payload == nil ? 0 : message.len,
                headers: nil,
                header_count: 0))
        }
        for index in withHeaders {
            (views[index].headers, views[index].header_count) = owner.headers(of: messages[index])
        }
        return FetchedBatch(source: source, messages: views, payloadOwner: owner)
    }

    /// Views of the message's headers (names and values stay in librdkafka's memory).
    private func headers(of message: UnsafeMutablePointer<rd_kafka_message_t>) -> (UnsafePointer<sluice_header>?, Int) {
        var list: OpaquePointer?
        guard rd_kafka_message_headers(message, &list) == RD_KAFKA_RESP_ERR_NO_ERROR, let list else { return (nil, 0) }
        let count = rd_kafka_header_cnt(list)
        guard count > 0 else { return (nil, 0) }
        let array = UnsafeMutableBufferPointer<sluice_header>.allocate(capacity: count)
        var filled = 0
        for index in 0..<count {
            var name: UnsafePointer<CChar>?
            var value: UnsafeRawPointer?
            var size = 0
            guard rd_kafka_header_get_all(list, index, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR,
                  let name else { continue }
            array.initializeElement(at: filled, to: sluice_header(
                name: name, name_len: strlen(name),
                value: value?.assumingMemoryBound(to: UInt8.self), value_len: value == nil ? 0 : size))
            filled += 1
        }
        headerArrays.append(array)
        return (UnsafePointer(array.baseAddress), filled)
    }

    /// Whether the record certainly has no headers, read without asking
    /// librdkafka: `rd_kafka_message_headers` parses a record's header block
    /// through a shadow buffer (two mallocs and two frees) even when it holds
    /// no header at all, which tripled the consumer's allocations per record.
    /// A fetched record (message format v2) points its value into the record
    /// as the broker sent it (decompressed if need be), where the value is
    /// followed by the header count, a zigzag varint: a 0 byte means none.
    /// Without a value, or with an empty one (librdkafka points those at a
    /// static empty string, not into the record), librdkafka is asked.
    private static func hasNoHeaders(_ message: rd_kafka_message_t) -> Bool {
        guard let value = message.payload, message.len > 0 else { return false }
        return value.load(fromByteOffset: message.len, as: UInt8.self) == 0
    }
}
