import CRdKafka

/// Creates topics through the Admin API (`CreateTopics`), on an existing
/// client. The local broker does not auto-create topics, and output and
/// dead-letter topics must exist before records are produced to them.
struct KafkaTopicAdmin {
    let handle: KafkaClientHandle
    let partitions: Int
    let replicationFactor: Int
    let timeoutMilliseconds: Int32

    /// The broker's answer for one topic of a `CreateTopics` request.
    struct Outcome {
        /// Its error code (`NO_ERROR` when the topic was created).
        let code: rd_kafka_resp_err_t
        /// Its error message, if it sent one.
        let message: String

        /// Created now, or there already.
        var exists: Bool { code == RD_KAFKA_RESP_ERR_NO_ERROR || code == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS }
        /// `NAME: text (message)`, for errors.
        var description: String { message.isEmpty ? KafkaError.describe(code) : "\(KafkaError.describe(code)) (\(message))" }
    }

    /// Creates `topic` with the configured partitions; a topic that already
    /// exists counts as success.
    func create(_ topic: String) throws(KafkaError) {
        let outcome = try request(topic, partitions: partitions, configs: [])
        guard outcome.exists else { throw KafkaError("creating topic \(topic): \(outcome.description)") }
    }

    /// Asks the broker to create `topic` with `partitions` partitions and the
    /// topic `configs` (e.g. `cleanup.policy=compact`), and returns its answer
    /// for the topic; throws only when there is no answer to read.
    func request(_ topic: String, partitions: Int, configs: [(String, String)]) throws(KafkaError) -> Outcome {
        var error = [CChar](repeating: 0, count: 512)
        guard let newTopic = rd_kafka_NewTopic_new(topic, Int32(partitions), Int32(replicationFactor), &error, error.count) else {
            throw KafkaError("creating topic \(topic): \(KafkaError.text(of: error))")
        }
        defer { rd_kafka_NewTopic_destroy(newTopic) }
        for (name, value) in configs {
            let code = rd_kafka_NewTopic_set_config(newTopic, name, value)
            guard code == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError("creating topic \(topic): config \(name)", code: code) }
        }
        guard let options = rd_kafka_AdminOptions_new(handle.pointer, RD_KAFKA_ADMIN_OP_CREATETOPICS) else {
            throw KafkaError("creating topic \(topic): rd_kafka_AdminOptions_new returned NULL")
        }
        defer { rd_kafka_AdminOptions_destroy(options) }
        _ = rd_kafka_AdminOptions_set_request_timeout(options, timeoutMilliseconds, &error, error.count)
        _ = rd_kafka_AdminOptions_set_operation_timeout(options, timeoutMilliseconds, &error, error.count)

        let queue = rd_kafka_queue_new(handle.pointer)
        defer { rd_kafka_queue_destroy(queue) }
        var topics: [OpaquePointer?] = [newTopic]
        rd_kafka_CreateTopics(handle.pointer, &topics, topics.count, options, queue)
        // The request carries its own timeout; wait a little longer so its
        // result (a timeout error at worst) always arrives.
        guard let event = rd_kafka_queue_poll(queue, timeoutMilliseconds + 5000) else {
            throw KafkaError("creating topic \(topic): no answer within \(timeoutMilliseconds + 5000) ms")
        }
        defer { rd_kafka_event_destroy(event) }
        let eventError = rd_kafka_event_error(event)
        guard eventError == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError("creating topic \(topic)", code: eventError)
        }
        var count = 0
        guard let results = rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(event), &count),
              count == 1, let result = results[0] else {
            throw KafkaError("creating topic \(topic): the broker's answer names no topic")
        }
        return Outcome(code: rd_kafka_topic_result_error(result),
                       message: rd_kafka_topic_result_error_string(result).map { String(cString: $0) } ?? "")
    }
}
