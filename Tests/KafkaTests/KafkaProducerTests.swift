import Foundation
import SluiceHost
import Testing
import TestSupport

/// The shared producer against the local broker: acknowledgements, topic
/// creation, failures that must be reported rather than dropped.
@Suite("Kafka producer", .timeLimit(.minutes(2)))
struct KafkaProducerTests {
    @Test("records to a topic that does not exist yet: it is created, every record acknowledged, keys and headers kept")
    func createsAndAcknowledges() async throws {
        let world = try KafkaTestWorld()
        let transport = try world.transport()
        let topic = world.name("created")
        let acks = AcknowledgementLog()
        for index in 0..<50 {
            let record = OutgoingRecord(topic: topic, partition: Int32(index % 4), key: Array("key-\(index)".utf8),
                                        value: Array("value-\(index)".utf8),
                                        headers: [.init(name: "trace", text: "t\(index)"), .init(name: "empty", value: [])])
            transport.producer.produce(record) { acks.record($0) }
        }
        #expect(await transport.flushed(timeout: .seconds(30)))
        try await eventually(timeout: .seconds(30), "50 acknowledgements") { acks.count == 50 }
        #expect(acks.failures.isEmpty, "\(acks.failures)")
        #expect(transport.isReachable)

        let records = try await world.readAll(topic, expected: 50)
        #expect(records.count == 50)
        for record in records {
            let index = try #require(Int(record.value.dropFirst("value-".count)))
            #expect(record.key == "key-\(index)")
            #expect(record.partition == Int32(index % 4))
            #expect(record.headers["trace"] == "t\(index)")
            #expect(record.headers["empty"] == "")
        }
    }

    @Test("a record over the maximum message size is acknowledged as a failure, once")
    func oversizedFails() async throws {
        let world = try KafkaTestWorld()
        let transport = try world.transport()
        let topic = world.name("oversized")
        try await transport.createTopicIfMissing(topic)
        let acks = AcknowledgementLog()
        transport.producer.produce(OutgoingRecord(topic: topic, key: nil, value: [UInt8](repeating: 65, count: 2_000_000))) {
            acks.record($0)
        }
        transport.producer.produce(OutgoingRecord(topic: topic, key: nil, value: Array("small".utf8))) { acks.record($0) }
        #expect(await transport.flushed(timeout: .seconds(30)))
        try await eventually(timeout: .seconds(30), "two acknowledgements") { acks.count == 2 }
        #expect(acks.failures.count == 1)
        #expect(acks.successes == 1)
    }

    @Test("a record for a partition the topic does not have is acknowledged as a failure")
    func unknownPartitionFails() async throws {
        let world = try KafkaTestWorld()
        let transport = try world.transport()
        let topic = world.name("narrow")
        try await transport.createTopicIfMissing(topic)   // 4 partitions (sluice.topic.partitions)
        let acks = AcknowledgementLog()
        transport.producer.produce(OutgoingRecord(topic: topic, partition: 9, key: nil, value: Array("x".utf8))) { acks.record($0) }
        _ = await transport.flushed(timeout: .seconds(30))
        try await eventually(timeout: .seconds(60), "one acknowledgement") { acks.count == 1 }
        #expect(acks.failures.count == 1)
    }

    @Test("ensureTopic creates with the configured partitions and accepts an existing topic")
    func ensureTopicIsIdempotent() async throws {
        let world = try KafkaTestWorld()
        let topic = world.name("ensured")
        try await world.transport(["sluice.topic.partitions": "3"]).createTopicIfMissing(topic)
        try await world.transport().createTopicIfMissing(topic)   // a fresh transport: the broker says it exists
        #expect(try await world.partitionCount(topic) == 3)
    }

    @Test("sluice.topic.create false: ensureTopic asks the broker for nothing, so a missing topic stays missing")
    func topicCreationOff() async throws {
        let world = try KafkaTestWorld()
        let topic = world.name("uncreated")
        try await world.transport(["sluice.topic.create": "false"]).createTopicIfMissing(topic)
        #expect(try await world.partitionCount(topic) == 0)
        try await world.transport(["sluice.topic.create": "true"]).createTopicIfMissing(topic)
        #expect(try await world.partitionCount(topic) == 4)
        #expect(throws: KafkaError.self) { try KafkaSettings(bootstrapServers: "x:1", properties: ["sluice.topic.create": "maybe"]) }
    }

    @Test("settings: sluice.* keys are read, not passed to librdkafka; bad values are refused")
    func settings() async throws {
        let settings = try KafkaSettings(bootstrapServers: "127.0.0.1:1", properties: [
            "sluice.topic.partitions": "12", "sluice.topic.replication.factor": "3", "linger.ms": "1",
        ])
        #expect(settings.topicPartitions == 12)
        #expect(settings.topicReplicationFactor == 3)
        #expect(settings.createsTopics)
        #expect(settings.properties == ["linger.ms": "1"])
        #expect(throws: KafkaError.self) { try KafkaSettings(bootstrapServers: "x:1", properties: ["sluice.topic.partitions": "0"]) }
        #expect(throws: KafkaError.self) { try KafkaSettings(bootstrapServers: "x:1", properties: ["sluice.nonsense": "1"]) }
    }

    @Test("a rejected secret property is named without its value")
    func secretNotInError() async throws {
        let secret = "hunter2-\(UUID().uuidString)"
        do {
            _ = try KafkaTransport(settings: KafkaSettings(bootstrapServers: "127.0.0.1:1", properties: [
                "sasl.password": secret, "no.such.property": "1",
            ]), logger: .init(label: "test"))
            Issue.record("an unknown property must be refused")
        } catch {
            #expect(!"\(error)".contains(secret))
            #expect("\(error)".contains("no.such.property"))
        }
    }
}

/// Acknowledgements seen by a test (any thread).
final class AcknowledgementLog: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [Result<RecordPlacement, ProduceError>] = []
    func record(_ result: Result<RecordPlacement, ProduceError>) { lock.withLock { results.append(result) } }
    var count: Int { lock.withLock { results.count } }
    var successes: Int { lock.withLock { results.filter { if case .success = $0 { true } else { false } }.count } }
    var failures: [String] {
        lock.withLock { results.compactMap { if case .failure(let error) = $0 { error.message } else { nil } } }
    }
}
