import CRdKafka
import Foundation

/// Reads a topic from the start with a plain assigned consumer (no group),
/// keeping what it read; `drain` picks up what arrived since.
public final class TopicReader {
    public let topic: String
    private let world: KafkaTestWorld
    private let client: OpaquePointer
    public private(set) var records: [KafkaTestWorld.ReadRecord] = []

    public init(world: KafkaTestWorld, topic: String) throws {
        self.world = world
        self.topic = topic
        client = try world.makeClient(group: "sluice-test-reader-\(UUID().uuidString)")
        let partitions = try world.partitionCount(topic, client: client)
        let list = rd_kafka_topic_partition_list_new(Int32(max(1, partitions)))!
        defer { rd_kafka_topic_partition_list_destroy(list) }
        for partition in 0..<Int32(partitions) {
            rd_kafka_topic_partition_list_add(list, topic, partition).pointee.offset = Int64(RD_KAFKA_OFFSET_BEGINNING)
        }
        let code = rd_kafka_assign(client, list)
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else { throw HarnessError("assign: \(String(cString: rd_kafka_err2str(code)))") }
    }

    deinit { world.closeClient(client) }

    /// Reads what is there now (waiting up to `waitMilliseconds` for the first record).
    public func drain(waitMilliseconds: Int32 = 50) {
        var wait = waitMilliseconds
        while let message = rd_kafka_consumer_poll(client, wait) {
            defer { rd_kafka_message_destroy(message) }
            wait = 0
            let m = message.pointee
            guard m.err == RD_KAFKA_RESP_ERR_NO_ERROR else { continue }
            records.append(KafkaTestWorld.ReadRecord(
                partition: m.partition, offset: m.offset,
                key: m.key.map { String(decoding: UnsafeRawBufferPointer(start: $0, count: m.key_len), as: UTF8.self) },
                value: String(decoding: UnsafeRawBufferPointer(start: m.payload, count: m.payload == nil ? 0 : m.len), as: UTF8.self),
                headers: world.headers(of: message)))
        }
    }

    /// Records read so far, after reading what is there now.
    public var count: Int {
        drain()
        return records.count
    }
}
