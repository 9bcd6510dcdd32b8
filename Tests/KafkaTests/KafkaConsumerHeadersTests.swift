import Foundation
import SluiceHost
import Testing
import TestSupport

/// The host's Kafka consumer hands every record's headers to the plugin as
/// the producer sent them, and none where there are none; records with an
/// empty or a null value included (their header count is found differently).
@Suite("Kafka consumer headers", .timeLimit(.minutes(2)))
struct KafkaConsumerHeadersTests {
    /// A record as the consumer handed it over: value and headers copied out.
    struct Seen: Sendable, Equatable {
        let value: String?
        let headers: [String]
    }

    /// Takes assignments as they come (no lanes behind this consumer).
    final class Listener: ConsumerListener, Sendable {
        func assigned(_ partitions: [TopicPartition], startOffsets: [TopicPartition: Int64]) -> [TopicPartition: Int64] { [:] }
        func revoked(_ partitions: [TopicPartition]) {}
    }

    @Test("headers reach the batch exactly: some, none, with an empty value, with a null value")
    func headersAsProduced() async throws {
        let world = try KafkaTestWorld()
        let topic = world.name("headers")
        let transport = try await world.seedingTransport(creating: topic)
        let produced: [(value: [UInt8]?, headers: [OutgoingRecord.Header])] = [
            (Array("with".utf8), [.init(name: "a", text: "1"), .init(name: "empty", value: [])]),
            (Array("without".utf8), []),
            ([], [.init(name: "only", text: "header")]),
            ([], []),
            (nil, [.init(name: "tombstone", text: "t")]),
            (nil, []),
        ]
        for record in produced {
            transport.producer.produce(OutgoingRecord(topic: topic, partition: 0, key: nil, value: record.value,
                                                      headers: record.headers)) { _ in }
        }
        #expect(await transport.flushed(timeout: .seconds(30)))

        let group = world.name("headers-group")
        let seen: [Seen] = try await DedicatedThread.run("test-kafka-headers") {
            let consumer = try transport.makeConsumer(group: group, topics: [topic], listener: Listener())
            defer { consumer.close() }
            var seen: [Seen] = []
            let deadline = ContinuousClock.now + .seconds(60)
            while seen.count < produced.count, ContinuousClock.now < deadline {
                for batch in try consumer.poll(maxBatchSize: 100, maxRecords: 100, timeout: .milliseconds(100)) {
                    for message in batch.messages {
                        let value = message.value.map { String(decoding: UnsafeBufferPointer(start: $0, count: message.value_len), as: UTF8.self) }
                        let headers = UnsafeBufferPointer(start: message.headers, count: message.header_count).map { header in
                            let name = String(decoding: UnsafeRawBufferPointer(start: header.name, count: header.name_len), as: UTF8.self)
                            let text = header.value.map { String(decoding: UnsafeBufferPointer(start: $0, count: header.value_len), as: UTF8.self) } ?? "<null>"
                            return "\(name)=\(text)"
                        }
                        seen.append(Seen(value: value, headers: headers))
                    }
                }
            }
            return seen
        }
        #expect(seen.count == produced.count)
        #expect(seen.map(\.headers) == [["a=1", "empty="], [], ["only=header"], [], ["tombstone=t"], []])
        #expect(seen.map(\.value) == ["with", "without", "", "", nil, nil])
    }
}
