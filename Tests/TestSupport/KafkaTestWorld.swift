import CRdKafka
import Foundation
import Logging
import SluiceHost

/// The local broker as the Kafka tests see it: unique names, the librdkafka
/// properties that suit Tansu, and a plain librdkafka client to read topics,
/// end offsets and committed offsets independently of the transport under test.
public struct KafkaTestWorld: Sendable {
    /// `host:port` of the local broker.
    public let bootstrap: String
    /// The NUL-terminated text in a C error buffer.
    public static func text(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// A suffix that makes topic and group names unique to one test.
    public let suffix: String

    /// Properties for every client in the tests (docs/kafka.md says why).
    public static let properties = TestServices.kafkaProperties

    /// The shared broker of `tools/services`.
    public init() throws {
        try self.init(bootstrap: TestServices.kafkaBootstrap())
    }

    /// The broker at `bootstrap` (`host:port`), e.g. a test's private ``KafkaTestBroker``.
    public init(bootstrap: String) {
        self.bootstrap = bootstrap
        suffix = String(UUID().uuidString.prefix(8)).lowercased()
    }

    /// `base` made unique to this test.
    public func name(_ base: String) -> String { "\(base)-\(suffix)" }

    /// Transport settings for the local broker.
    public func settings(_ extra: [String: String] = [:]) throws -> KafkaSettings {
        try KafkaSettings(bootstrapServers: bootstrap, properties: Self.properties.merging(extra) { $1 })
    }

    /// A transport on the local broker; logs at warning and above.
    public func transport(_ extra: [String: String] = [:]) throws -> KafkaTransport {
        var logger = Logger(label: "sluice.kafka.test")
        logger.logLevel = .warning
        return try KafkaTransport(settings: settings(extra), logger: logger)
    }

    /// A transport for seeding and reading back, with `topics` created.
    public func seedingTransport(creating topics: String...) async throws -> KafkaTransport {
        let seeding = try transport()
        for topic in topics { try await seeding.createTopicIfMissing(topic) }
        return seeding
    }

    /// Produces `count` records to `topic` (key "k<i>", value `value(i)`) and
    /// waits for every acknowledgement; throws if any failed.
    public func produce(_ topic: String, count: Int, through transport: KafkaTransport,
                 value: (Int) -> String = { "v\($0)" }) async throws {
        let failures = FailureCounter()
        for index in 0..<count {
            transport.producer.produce(OutgoingRecord(topic: topic, key: Array("k\(index)".utf8), value: Array(value(index).utf8))) {
                if case .failure = $0 { failures.add() }
            }
        }
        // The flush blocks until every acknowledgement is in: on a thread of its own.
        let flushed = await DedicatedThread.run("test-kafka-flush") { transport.producer.flush(timeout: .seconds(30)) }
        guard flushed else { throw HarnessError("producing to \(topic): flush timed out") }
        guard failures.count == 0 else { throw HarnessError("producing to \(topic): \(failures.count) records failed") }
    }

    // MARK: Reading back with a plain client

    /// A record read back.
    public struct ReadRecord: Sendable {
        public let partition: Int32
        public let offset: Int64
        public let key: String?
        public let value: String
        public let headers: [String: String]
    }

    /// Every record of `topic`: read from the start until `expected` records
    /// arrived, or (without `expected`) until nothing new came for a second.
    /// (Tansu's ListOffsets answers the last batch's base offset + 1 as the end
    /// offset, so the tests count records instead of trusting watermarks.)
    public func readAll(_ topic: String, expected: Int? = nil) async throws -> [ReadRecord] {
        try await DedicatedThread.run("test-kafka-read") { () throws -> [ReadRecord] in
            try readAllOnThisThread(topic, expected: expected)
        }
    }

    private func readAllOnThisThread(_ topic: String, expected: Int?) throws -> [ReadRecord] {
        let reader = try TopicReader(onThisThread: self, topic: topic)
        let deadline = ContinuousClock.now + .seconds(30)
        var quietSince = ContinuousClock.now
        while ContinuousClock.now < deadline {
            let before = reader.records.count
            reader.drainOnThisThread(waitMilliseconds: 100)
            if let expected, reader.records.count >= expected { break }
            if reader.records.count > before { quietSince = ContinuousClock.now }
            if expected == nil, ContinuousClock.now - quietSince > .seconds(1) { break }
        }
        return reader.records
    }

    /// End offset of each partition of `topic` that has records: one past its
    /// highest offset, counted by reading (`expected`: how many records it holds).
    public func endOffsets(_ topic: String, expected: Int? = nil) async throws -> [Int32: Int64] {
        var ends: [Int32: Int64] = [:]
        for record in try await readAll(topic, expected: expected) {
            ends[record.partition] = max(ends[record.partition] ?? 0, record.offset + 1)
        }
        return ends
    }

    /// Partitions of `topic` (0 if it does not exist).
    public func partitionCount(_ topic: String) async throws -> Int {
        try await DedicatedThread.run("test-kafka-metadata") { () throws -> Int in try partitionCountOnThisThread(topic) }
    }

    private func partitionCountOnThisThread(_ topic: String) throws -> Int {
        let client = try makeClient(group: "sluice-test-reader-\(UUID().uuidString)")
        defer { rd_kafka_destroy(client) }
        return try partitionCount(topic, client: client)
    }

    /// The committed offsets of `group` for every partition of `topic` (absent: none).
    public func committed(group: String, topic: String) async throws -> [Int32: Int64] {
        try await DedicatedThread.run("test-kafka-committed") { () throws -> [Int32: Int64] in
            try committedOnThisThread(group: group, topic: topic)
        }
    }

    private func committedOnThisThread(group: String, topic: String) throws -> [Int32: Int64] {
        let client = try makeClient(group: group)
        defer { rd_kafka_destroy(client) }   // never joined: nothing to close
        let partitions = try partitionCount(topic, client: client)
        let list = rd_kafka_topic_partition_list_new(Int32(partitions))!
        defer { rd_kafka_topic_partition_list_destroy(list) }
        for partition in 0..<Int32(partitions) { rd_kafka_topic_partition_list_add(list, topic, partition) }
        let code = rd_kafka_committed(client, list, 10_000)
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else { throw HarnessError("committed: \(String(cString: rd_kafka_err2str(code)))") }
        var result: [Int32: Int64] = [:]
        for element in UnsafeBufferPointer(start: list.pointee.elems, count: Int(list.pointee.cnt)) where element.offset >= 0 {
            result[element.partition] = element.offset
        }
        return result
    }

    func partitionCount(_ topic: String, client: OpaquePointer) throws -> Int {
        let handle = rd_kafka_topic_new(client, topic, nil)
        defer { rd_kafka_topic_destroy(handle) }
        var metadata: UnsafePointer<rd_kafka_metadata>?
        let code = rd_kafka_metadata(client, 0, handle, &metadata, 10_000)
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else {
            throw HarnessError("metadata of \(topic): \(String(cString: rd_kafka_err2str(code)))")
        }
        defer { rd_kafka_metadata_destroy(metadata) }
        guard metadata.pointee.topic_cnt == 1, metadata.pointee.topics[0].err == RD_KAFKA_RESP_ERR_NO_ERROR else { return 0 }
        return Int(metadata.pointee.topics[0].partition_cnt)
    }

    func makeClient(group: String) throws -> OpaquePointer {
        let conf = rd_kafka_conf_new()!
        var error = [CChar](repeating: 0, count: 512)
        for (key, value) in [("bootstrap.servers", bootstrap), ("group.id", group), ("enable.auto.commit", "false"),
                             ("fetch.wait.max.ms", "10"), ("log_level", "3")] {
            guard rd_kafka_conf_set(conf, key, value, &error, error.count) == RD_KAFKA_CONF_OK else {
                rd_kafka_conf_destroy(conf)
                throw HarnessError("\(key): \(KafkaTestWorld.text(error))")
            }
        }
        guard let client = rd_kafka_new(RD_KAFKA_CONSUMER, conf, &error, error.count) else {
            rd_kafka_conf_destroy(conf)
            throw HarnessError("rd_kafka_new: \(KafkaTestWorld.text(error))")
        }
        return client
    }

    func closeClient(_ client: OpaquePointer) {
        rd_kafka_consumer_close(client)
        rd_kafka_destroy(client)
    }

    func headers(of message: UnsafeMutablePointer<rd_kafka_message_t>) -> [String: String] {
        var list: OpaquePointer?
        guard rd_kafka_message_headers(message, &list) == RD_KAFKA_RESP_ERR_NO_ERROR, let list else { return [:] }
        var result: [String: String] = [:]
        for index in 0..<rd_kafka_header_cnt(list) {
            var name: UnsafePointer<CChar>?
            var value: UnsafeRawPointer?
            var size = 0
            if rd_kafka_header_get_all(list, index, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR, let name {
                result[String(cString: name)] = String(decoding: UnsafeRawBufferPointer(start: value, count: value == nil ? 0 : size), as: UTF8.self)
            }
        }
        return result
    }
}
