import CRdKafka
import Foundation

/// The producer's service thread: serves delivery reports and errors
/// (`rd_kafka_poll`) and probes the broker once a second, so `isReachable`
/// turns false while the broker does not answer (even a stopped one that
/// keeps its connections open) and true again when it does.
final class KafkaPollThread: @unchecked Sendable {
    // @unchecked: `stopped` is guarded by `lock`.
    private let lock = ConditionLock()
    private var stopped = false

    /// Starts the thread; it holds `handle` until it stops.
    init(handle: KafkaClientHandle) {
        DedicatedThread.start("sluice-kafka-producer") { [self] in run(handle) }
    }

    /// Asks the thread to end (within about 100 ms); it releases the handle then.
    func stop() {
        lock.withLock { stopped = true }
    }

    private func run(_ handle: KafkaClientHandle) {
        var lastProbe = ConditionLock.monotonicNow()
        while !lock.withLock({ stopped }) {
            rd_kafka_poll(handle.pointer, 100)
            let now = ConditionLock.monotonicNow()
            if now - lastProbe >= .seconds(1) {
                probe(handle)
                lastProbe = now
            }
        }
    }

    /// One metadata request (brokers only), bounded by a second.
    private func probe(_ handle: KafkaClientHandle) {
        var metadata: UnsafePointer<rd_kafka_metadata>?
        let code = rd_kafka_metadata(handle.pointer, 0, nil, &metadata, 1000)
        if let metadata { rd_kafka_metadata_destroy(metadata) }
        if code == RD_KAFKA_RESP_ERR_NO_ERROR {
            handle.context.health.markUp()
        } else {
            handle.context.health.markDown("metadata request: \(KafkaError.describe(code))")
        }
    }
}
