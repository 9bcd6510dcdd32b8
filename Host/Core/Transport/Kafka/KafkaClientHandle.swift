import CRdKafka

/// One librdkafka client (`rd_kafka_t`) and the context its callbacks use.
///
/// Fetched messages point into memory of this client, so every batch keeps
/// the handle alive: the client is destroyed only when the last of them is
/// released, whatever order the host drops things in.
final class KafkaClientHandle: @unchecked Sendable {
    // @unchecked: `rd_kafka_t` is thread-safe; the pointer never changes.
    let pointer: OpaquePointer
    let context: KafkaClientContext
    let type: rd_kafka_type_t
    private let destroyFlags: Int32

    /// Creates a client of `type` from `properties` (applied in order; a
    /// rejected property is named in the error, its value never is).
    /// `configure` adds callbacks before the client is created.
    init(type: rd_kafka_type_t, properties: [(String, String)], context: KafkaClientContext,
         configure: (OpaquePointer) -> Void = { _ in }) throws(KafkaError) {
        guard let conf = rd_kafka_conf_new() else { throw KafkaError("rd_kafka_conf_new returned NULL") }
        var error = [CChar](repeating: 0, count: 512)
        for (key, value) in properties where rd_kafka_conf_set(conf, key, value, &error, error.count) != RD_KAFKA_CONF_OK {
            rd_kafka_conf_destroy(conf)
            // librdkafka's message may quote the value: keep it out when the key is a secret.
            let detail = SecretKeys.isSecret(key) ? "rejected" : KafkaError.text(of: error)
            throw KafkaError("kafka property \(key): \(detail)")
        }
        context.installCallbacks(on: conf)
        configure(conf)
        guard let handle = rd_kafka_new(type, conf, &error, error.count) else {
            rd_kafka_conf_destroy(conf)   // not taken over when rd_kafka_new fails
            throw KafkaError("creating the kafka client failed: \(KafkaError.text(of: error))")
        }
        pointer = handle
        self.context = context
        self.type = type
        // A consumer is closed explicitly (which runs the rebalance callback on
        // the fetcher thread); destroy must not close it again from whatever
        // thread drops the last batch.
        destroyFlags = type == RD_KAFKA_CONSUMER ? Int32(RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE) : 0
    }

    deinit {
        if type == RD_KAFKA_PRODUCER {
            // Undelivered records must still be acknowledged (as failures),
            // exactly once: purge them, then serve their delivery reports.
            rd_kafka_purge(pointer, Int32(RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT))
            var rounds = 0
            while rd_kafka_outq_len(pointer) > 0, rounds < 50 {
                rd_kafka_poll(pointer, 100)
                rounds += 1
            }
        }
        rd_kafka_destroy_flags(pointer, destroyFlags)
    }
}
