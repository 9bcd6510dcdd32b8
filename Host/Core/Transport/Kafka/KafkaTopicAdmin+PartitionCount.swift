import CRdKafka

extension KafkaTopicAdmin {
    /// How many partitions `topic` has; nil when it does not exist.
    ///
    /// Asked with the Admin API's DescribeTopics rather than a plain metadata
    /// request: on a producer (`allow.auto.create.topics` is true there by
    /// default) a metadata request for a missing topic makes a broker that
    /// auto-creates topics (the local Tansu does) create it.
    func partitionCount(of topic: String, timeoutMilliseconds: Int32) throws(KafkaError) -> Int? {
        var error = [CChar](repeating: 0, count: 512)
        let collection: OpaquePointer? = topic.withCString { name in
            var names: [UnsafePointer<CChar>?] = [name]
            return rd_kafka_TopicCollection_of_topic_names(&names, 1)
        }
        guard let collection else { throw KafkaError("describing topic \(topic): rd_kafka_TopicCollection_of_topic_names returned NULL") }
        defer { rd_kafka_TopicCollection_destroy(collection) }
        guard let options = rd_kafka_AdminOptions_new(handle.pointer, RD_KAFKA_ADMIN_OP_DESCRIBETOPICS) else {
            throw KafkaError("describing topic \(topic): rd_kafka_AdminOptions_new returned NULL")
        }
        defer { rd_kafka_AdminOptions_destroy(options) }
        _ = rd_kafka_AdminOptions_set_request_timeout(options, timeoutMilliseconds, &error, error.count)

        let queue = rd_kafka_queue_new(handle.pointer)
        defer { rd_kafka_queue_destroy(queue) }
        rd_kafka_DescribeTopics(handle.pointer, collection, options, queue)
        guard let event = rd_kafka_queue_poll(queue, timeoutMilliseconds + 1000) else {
            throw KafkaError("describing topic \(topic): no answer within \(timeoutMilliseconds + 1000) ms")
        }
        defer { rd_kafka_event_destroy(event) }
        let eventError = rd_kafka_event_error(event)
        guard eventError == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError("describing topic \(topic)", code: eventError) }
        var count = 0
        guard let descriptions = rd_kafka_DescribeTopics_result_topics(rd_kafka_event_DescribeTopics_result(event), &count),
              count == 1, let description = descriptions[0] else {
            throw KafkaError("describing topic \(topic): the broker's answer names no topic")
        }
        if let problem = rd_kafka_TopicDescription_error(description) {
            let code = rd_kafka_error_code(problem)
            if code == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART { return nil }
            throw KafkaError("describing topic \(topic)", code: code)
        }
        var partitions = 0
        _ = rd_kafka_TopicDescription_partitions(description, &partitions)
        return partitions
    }
}
