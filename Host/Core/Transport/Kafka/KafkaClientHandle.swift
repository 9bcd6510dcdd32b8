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
    /// Whether `rd_kafka_destroy` runs on a thread of its own (see `init`).
    private let destroysInBackground: Bool

    /// Creates a client of `type` from `properties` (applied in order; a
    /// rejected property is named in the error, its value never is).
    /// `configure` adds callbacks before the client is created. With
    /// `destroysInBackground`, whoever drops the last reference does not wait
    /// for librdkafka's teardown (up to 1 s, on its threads' timers): for
    /// short-lived clients, which go away in the middle of the host's work.
    init(type: rd_kafka_type_t, properties: [(String, String)], context: KafkaClientContext,
         destroysInBackground: Bool = false, configure: (OpaquePointer) -> Void = { _ in }) throws(KafkaError) {
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
        self.destroysInBackground = destroysInBackground
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
        guard destroysInBackground else {
            rd_kafka_destroy_flags(pointer, destroyFlags)
            return
        }
        // The context goes along: callbacks may run until the destroy returns.
        let teardown = Teardown(pointer: pointer, flags: destroyFlags, context: context)
        DedicatedThread.start("sluice-kafka-teardown") { rd_kafka_destroy_flags(teardown.pointer, teardown.flags); _ = teardown.context }
    }

    /// What a background destroy needs.
    private struct Teardown: @unchecked Sendable {
        // @unchecked: the client is used by nothing else once its handle is gone.
        let pointer: OpaquePointer
        let flags: Int32
        let context: KafkaClientContext
    }
}
