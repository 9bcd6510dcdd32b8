import CRdKafka
import Foundation
import Testing
import TestSupport

/// Kafka through librdkafka against the local broker (Tansu): create a topic
/// with the Admin API, produce one record, consume it back.
@Suite("Kafka (librdkafka ↔ Tansu)")
struct KafkaSmokeTests {
    /// Bounds each wait; generous because a consumer-group join alone takes
    /// about one session timeout on Tansu.
    private static let waitSeconds = 30

    @Test("create topic, produce, consume back", .timeLimit(.minutes(2)))
    func roundTrip() throws {
        let bootstrap = try TestServices.kafkaBootstrap()
        let suffix = UUID().uuidString.prefix(8).lowercased()
        let topic = "sluice-smoke-\(suffix)"
        let key = "key-\(suffix)"
        let value = "hello from the smoke test \(suffix)"

        // Delivery reports arrive through a C callback served by flush/poll;
        // the opaque pointer leads it back to this box.
        let reports = DeliveryReports()
        // Declared first, so it runs last: the callback's box outlives the producer.
        defer { withExtendedLifetime(reports) {} }
        let producerConf = try RdKafkaClient.configuration(["bootstrap.servers": bootstrap, "linger.ms": "0"])
        rd_kafka_conf_set_dr_msg_cb(producerConf) { _, message, opaque in
            guard let message, let opaque else { return }
            Unmanaged<DeliveryReports>.fromOpaque(opaque).takeUnretainedValue()
                .record(error: message.pointee.err, offset: message.pointee.offset)
        }
        rd_kafka_conf_set_opaque(producerConf, Unmanaged.passUnretained(reports).toOpaque())
        let producer = try RdKafkaClient.handle(RD_KAFKA_PRODUCER, producerConf)
        defer { rd_kafka_destroy(producer) }

        try createTopic(topic, on: producer)
        try produce(key: key, value: value, to: topic, on: producer)
        let offset = try awaitDelivery(on: producer, reports: reports)
        #expect(offset >= 0)

        let (consumedKey, consumedValue) = try consumeOne(from: topic, bootstrap: bootstrap)
        #expect(consumedKey == key)
        #expect(consumedValue == value)
    }

    /// Tansu does not auto-create topics: CreateTopics, then wait for its result event.
    private func createTopic(_ topic: String, on handle: OpaquePointer) throws {
        var error = [CChar](repeating: 0, count: 512)
        guard let newTopic = rd_kafka_NewTopic_new(topic, 1, 1, &error, 512) else {
            throw SmokeFailure("NewTopic: \(RdKafkaClient.text(of: error))")
        }
        defer { rd_kafka_NewTopic_destroy(newTopic) }
        let options = rd_kafka_AdminOptions_new(handle, RD_KAFKA_ADMIN_OP_CREATETOPICS)
        defer { rd_kafka_AdminOptions_destroy(options) }
        let timeoutMs = Int32(Self.waitSeconds * 1000)
        #expect(rd_kafka_AdminOptions_set_request_timeout(options, timeoutMs, &error, 512) == RD_KAFKA_RESP_ERR_NO_ERROR)
        #expect(rd_kafka_AdminOptions_set_operation_timeout(options, timeoutMs, &error, 512) == RD_KAFKA_RESP_ERR_NO_ERROR)

        let queue = rd_kafka_queue_new(handle)
        defer { rd_kafka_queue_destroy(queue) }
        var topics: [OpaquePointer?] = [newTopic]
        rd_kafka_CreateTopics(handle, &topics, topics.count, options, queue)

        // The admin call carries its own timeout; poll a little longer so the
        // result (even a timeout error) always arrives before we give up.
        guard let event = rd_kafka_queue_poll(queue, timeoutMs + 5000) else {
            throw SmokeFailure("no CreateTopics result within \(Self.waitSeconds + 5) s")
        }
        defer { rd_kafka_event_destroy(event) }
        try #require(rd_kafka_event_type(event) == RD_KAFKA_EVENT_CREATETOPICS_RESULT)
        let eventError = rd_kafka_event_error(event)
        try #require(eventError == RD_KAFKA_RESP_ERR_NO_ERROR,
                     "CreateTopics failed: \(String(cString: rd_kafka_event_error_string(event)))")

        var count = 0
        let results = rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(event), &count)
        try #require(count == 1)
        let result = try #require(results?[0])
        #expect(String(cString: rd_kafka_topic_result_name(result)) == topic)
        let topicError = rd_kafka_topic_result_error(result)
        try #require(topicError == RD_KAFKA_RESP_ERR_NO_ERROR,
                     "topic \(topic): \(RdKafkaClient.describe(topicError))")
    }

    /// One record through `rd_kafka_produceva` (the array form of the variadic
    /// `rd_kafka_producev`), payload copied by librdkafka, then flushed.
    private func produce(key: String, value: String, to topic: String, on producer: OpaquePointer) throws {
        let keyBytes = Array(key.utf8)
        let valueBytes = Array(value.utf8)
        let failure: OpaquePointer? = topic.withCString { topicName in
            keyBytes.withUnsafeBytes { keyBuffer in
                valueBytes.withUnsafeBytes { valueBuffer in
                    var fields = [rd_kafka_vu_t](repeating: rd_kafka_vu_t(), count: 4)
                    fields[0].vtype = RD_KAFKA_VTYPE_TOPIC
                    fields[0].u.cstr = topicName
                    fields[1].vtype = RD_KAFKA_VTYPE_KEY
                    fields[1].u.mem.ptr = UnsafeMutableRawPointer(mutating: keyBuffer.baseAddress)
                    fields[1].u.mem.size = keyBuffer.count
                    fields[2].vtype = RD_KAFKA_VTYPE_VALUE
                    fields[2].u.mem.ptr = UnsafeMutableRawPointer(mutating: valueBuffer.baseAddress)
                    fields[2].u.mem.size = valueBuffer.count
                    fields[3].vtype = RD_KAFKA_VTYPE_MSGFLAGS
                    fields[3].u.i = RD_KAFKA_MSG_F_COPY
                    return rd_kafka_produceva(producer, fields, fields.count)
                }
            }
        }
        if let failure {
            defer { rd_kafka_error_destroy(failure) }
            throw SmokeFailure("produceva: \(String(cString: rd_kafka_error_string(failure)))")
        }
        let flushed = rd_kafka_flush(producer, Int32(Self.waitSeconds * 1000))
        try #require(flushed == RD_KAFKA_RESP_ERR_NO_ERROR, "flush: \(RdKafkaClient.describe(flushed))")
    }

    /// Waits for the delivery report of the one produced record (flush has
    /// normally served it already); returns its offset.
    private func awaitDelivery(on producer: OpaquePointer, reports: DeliveryReports) throws -> Int64 {
        let deadline = Deadline(seconds: Self.waitSeconds)
        while reports.first == nil && !deadline.hasPassed {
            rd_kafka_poll(producer, deadline.remainingMilliseconds())
        }
        let report = try #require(reports.first, "no delivery report within \(Self.waitSeconds) s")
        try #require(report.error == RD_KAFKA_RESP_ERR_NO_ERROR, "delivery failed: \(RdKafkaClient.describe(report.error))")
        return report.offset
    }

    /// Joins a fresh consumer group on `topic` and returns the first record's key and value.
    private func consumeOne(from topic: String, bootstrap: String) throws -> (key: String, value: String) {
        let consumer = try RdKafkaClient.handle(RD_KAFKA_CONSUMER, try RdKafkaClient.configuration([
            "bootstrap.servers": bootstrap,
            "group.id": "sluice-smoke-\(UUID().uuidString)",
            "auto.offset.reset": "earliest",
            // Tansu's fetch handler sleeps up to half of this.
            "fetch.wait.max.ms": "10",
            // Tansu holds a group join for the rebalance timeout: keep it short.
            "session.timeout.ms": "6000",
            "max.poll.interval.ms": "6000",
        ]))
        defer {
            rd_kafka_consumer_close(consumer)
            rd_kafka_destroy(consumer)
        }
        rd_kafka_poll_set_consumer(consumer)

        let subscription = rd_kafka_topic_partition_list_new(1)
        defer { rd_kafka_topic_partition_list_destroy(subscription) }
        rd_kafka_topic_partition_list_add(subscription, topic, -1)   // RD_KAFKA_PARTITION_UA
        let subscribed = rd_kafka_subscribe(consumer, subscription)
        try #require(subscribed == RD_KAFKA_RESP_ERR_NO_ERROR, "subscribe: \(RdKafkaClient.describe(subscribed))")

        let deadline = Deadline(seconds: Self.waitSeconds)
        var errors: [String] = []
        while !deadline.hasPassed {
            guard let message = rd_kafka_consumer_poll(consumer, deadline.remainingMilliseconds()) else { continue }
            defer { rd_kafka_message_destroy(message) }
            let record = message.pointee
            guard record.err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                // Transient errors (e.g. metadata not yet propagated) are
                // retried by librdkafka; keep them for the failure message.
                errors.append(RdKafkaClient.describe(record.err))
                continue
            }
            let key = String(decoding: UnsafeRawBufferPointer(start: record.key, count: record.key_len), as: UTF8.self)
            let value = String(decoding: UnsafeRawBufferPointer(start: record.payload, count: record.len), as: UTF8.self)
            return (key, value)
        }
        throw SmokeFailure("no record consumed from \(topic) within \(Self.waitSeconds) s (errors: \(errors))")
    }
}
