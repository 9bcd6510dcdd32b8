import CRdKafka
import Foundation
import SluiceHost

/// Reads a topic from the start with a plain assigned consumer (no group),
/// keeping what it read; `drain` picks up what arrived since.
///
/// librdkafka's calls block (metadata, polls): the async members make them on
/// a thread of their own, so tests never hold a cooperative thread waiting.
public final class TopicReader: @unchecked Sendable {
    // @unchecked: owned by one test, used one call at a time.
    public let topic: String
    private let world: KafkaTestWorld
    private let client: OpaquePointer
    public private(set) var records: [KafkaTestWorld.ReadRecord] = []

    /// A reader of `topic` from its start.
    public convenience init(world: KafkaTestWorld, topic: String) async throws {
        let client = try await DedicatedThread.run("test-kafka-reader") { () throws -> UncheckedSendable<OpaquePointer> in
            UncheckedSendable(try TopicReader.assignedClient(world: world, topic: topic))
        }
        self.init(world: world, topic: topic, client: client.value)
    }

    /// A reader of `topic` from its start, set up on the calling thread (which blocks).
    init(onThisThread world: KafkaTestWorld, topic: String) throws {
        self.world = world
        self.topic = topic
        client = try TopicReader.assignedClient(world: world, topic: topic)
    }

    private init(world: KafkaTestWorld, topic: String, client: OpaquePointer) {
        self.world = world
        self.topic = topic
        self.client = client
    }

    private static func assignedClient(world: KafkaTestWorld, topic: String) throws -> OpaquePointer {
        let client = try world.makeClient(group: "sluice-test-reader-\(UUID().uuidString)")
        do {
            let partitions = try world.partitionCount(topic, client: client)
            let list = rd_kafka_topic_partition_list_new(Int32(max(1, partitions)))!
            defer { rd_kafka_topic_partition_list_destroy(list) }
            for partition in 0..<Int32(partitions) {
                rd_kafka_topic_partition_list_add(list, topic, partition).pointee.offset = Int64(RD_KAFKA_OFFSET_BEGINNING)
            }
            let code = rd_kafka_assign(client, list)
            guard code == RD_KAFKA_RESP_ERR_NO_ERROR else { throw HarnessError("assign: \(String(cString: rd_kafka_err2str(code)))") }
            return client
        } catch {
            world.closeClient(client)
            throw error
        }
    }

    deinit { world.closeClient(client) }

    /// Reads what is there now (waiting up to `waitMilliseconds` for the first record).
    public func drain(waitMilliseconds: Int32 = 50) async {
        await DedicatedThread.run("test-kafka-poll") { [self] in drainOnThisThread(waitMilliseconds: waitMilliseconds) }
    }

    /// ``drain(waitMilliseconds:)`` on the calling thread (which blocks while it polls).
    func drainOnThisThread(waitMilliseconds: Int32 = 50) {
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
        get async {
            await drain()
            return records.count
        }
    }
}
