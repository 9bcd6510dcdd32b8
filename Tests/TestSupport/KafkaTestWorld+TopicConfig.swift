import CRdKafka
import SluiceHost

extension KafkaTestWorld {
    /// The value of topic config `name` of `topic` as the broker describes it
    /// (DescribeConfigs); nil when the broker does not report it.
    public func topicConfig(_ topic: String, _ name: String) async throws -> String? {
        try await DedicatedThread.run("test-kafka-describe-configs") { () throws -> String? in
            try topicConfigOnThisThread(topic, name)
        }
    }

    private func topicConfigOnThisThread(_ topic: String, _ name: String) throws -> String? {
        let client = try makeClient(group: "sluice-test-configs")
        defer { rd_kafka_destroy(client) }   // never joined: nothing to close
        let resource = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic)
        defer { rd_kafka_ConfigResource_destroy(resource) }
        let queue = rd_kafka_queue_new(client)
        defer { rd_kafka_queue_destroy(queue) }
        var resources: [OpaquePointer?] = [resource]
        rd_kafka_DescribeConfigs(client, &resources, 1, nil, queue)
        guard let event = rd_kafka_queue_poll(queue, 15_000) else { throw HarnessError("DescribeConfigs of \(topic): no answer") }
        defer { rd_kafka_event_destroy(event) }
        let code = rd_kafka_event_error(event)
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw HarnessError("DescribeConfigs of \(topic): \(String(cString: rd_kafka_err2str(code)))")
        }
        var count = 0
        guard let described = rd_kafka_DescribeConfigs_result_resources(rd_kafka_event_DescribeConfigs_result(event), &count),
              count == 1, let first = described[0] else { return nil }
        var entryCount = 0
        guard let entries = rd_kafka_ConfigResource_configs(first, &entryCount) else { return nil }
        for index in 0..<entryCount {
            guard let entry = entries[index], String(cString: rd_kafka_ConfigEntry_name(entry)) == name else { continue }
            return rd_kafka_ConfigEntry_value(entry).map { String(cString: $0) }
        }
        return nil
    }
}
