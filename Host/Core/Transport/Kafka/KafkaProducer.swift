import CRdKafka
import CSluicePlugin
import Foundation
import Logging

/// The transport's one shared producer: idempotent, acknowledging every
/// record exactly once from librdkafka's delivery report.
///
/// A dedicated thread serves delivery reports (`rd_kafka_poll`) and probes the
/// broker once a second for `isReachable`. A topic the producer has not seen
/// is created (Admin API) before its first record, because the local broker
/// does not auto-create topics.
final class KafkaProducer: RecordProducer, @unchecked Sendable {
    // @unchecked: `knownTopics` is guarded by `lock`; the handle is thread-safe.
    let handle: KafkaClientHandle
    let admin: KafkaTopicAdmin
    /// `sluice.topic.create`: false leaves every topic to the cluster (`ensureTopic` does nothing).
    let createsTopics: Bool
    private let lock = ConditionLock()
    private var knownTopics: Set<String> = []
    private let pollThread: KafkaPollThread
    /// How long `produce` waits for room when librdkafka's queue is full.
    private let queueFullPatience: Duration = .seconds(30)

    init(settings: KafkaSettings, health: KafkaHealth, logger: Logger) throws(KafkaError) {
        var properties: [(String, String)] = [
            ("bootstrap.servers", settings.bootstrapServers),
            ("enable.idempotence", "true"),
        ]
        properties += settings.properties.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        let context = KafkaClientContext(logger: logger, health: health)
        handle = try KafkaClientHandle(type: RD_KAFKA_PRODUCER, properties: properties, context: context) { conf in
            rd_kafka_conf_set_dr_msg_cb(conf) { _, message, opaque in
                guard let message else { return }
                KafkaProducer.delivered(message.pointee, context: KafkaClientContext.from(opaque))
            }
        }
        createsTopics = settings.createsTopics
        admin = KafkaTopicAdmin(handle: handle, partitions: settings.topicPartitions,
                                replicationFactor: settings.topicReplicationFactor,
                                timeoutMilliseconds: settings.requestTimeoutMilliseconds)
        pollThread = KafkaPollThread(handle: handle)
    }

    deinit { pollThread.stop() }

    func produce(_ record: OutgoingRecord, acknowledged: @escaping @Sendable (Result<RecordPlacement, ProduceError>) -> Void) {
        if let refusal = refusal(topic: record.topic) {
            acknowledged(.failure(refusal))
            return
        }
        let opaque = Unmanaged.passRetained(DeliveryAcknowledgement(acknowledged) as DeliveryReport).toOpaque()
        let code = record.topic.withCString { topic in
            Self.withBytes(record.key) { key in
                Self.withBytes(record.value) { value in
                    enqueueWaitingForRoom {
                        enqueue(topic: topic, partition: record.partition, key: key, value: value,
                                headers: Self.headers(record.headers), opaque: opaque)
                    }
                }
            }
        }
        guard code != RD_KAFKA_RESP_ERR_NO_ERROR else { return }
        Unmanaged<DeliveryReport>.fromOpaque(opaque).release()
        acknowledged(.failure(Self.enqueueFailure(code, topic: record.topic)))
    }

    /// Enqueues the records straight from the plugin's memory (librdkafka
    /// copies them): no `OutgoingRecord` and no acknowledgement object per
    /// record, one topic lookup for them all.
    func produce(_ batch: BorrowedRecordBatch,
                 acknowledged: @escaping @Sendable (_ count: Int, _ failure: ProduceError?) -> Void) {
        guard batch.count > 0 else { return }
        if let refusal = refusal(topic: batch.topic) {
            acknowledged(batch.count, refusal)
            return
        }
        let report = BatchDeliveryAcknowledgement(acknowledged)
        batch.topic.withCString { topic in
            for record in batch.records {
                // One reference per record in flight: each delivery report releases its own.
                let opaque = Unmanaged.passRetained(report as DeliveryReport).toOpaque()
                let code = enqueueWaitingForRoom {
                    enqueue(topic: topic, partition: record.partition >= 0 ? record.partition : nil,
                            key: Self.bytes(record.key, record.key_len), value: Self.bytes(record.value, record.value_len),
                            headers: Self.headers(record.headers, record.header_count), opaque: opaque)
                }
                if code != RD_KAFKA_RESP_ERR_NO_ERROR {
                    Unmanaged<DeliveryReport>.fromOpaque(opaque).release()
                    acknowledged(1, Self.enqueueFailure(code, topic: batch.topic))
                }
            }
        }
    }

    /// Why no record can go to `topic` (empty name, or it could not be created); nil when they can.
    private func refusal(topic: String) -> ProduceError? {
        guard !topic.isEmpty else { return ProduceError("topic name is empty") }
        guard !lock.withLock({ knownTopics.contains(topic) }) else { return nil }
        do {
            try ensureTopic(topic)
            return nil
        } catch {
            return ProduceError("\(error)")
        }
    }

    /// Runs `enqueue` until librdkafka takes the record or refuses it for
    /// good. A full local queue is backpressure, not failure: it waits
    /// (serving delivery reports) up to `queueFullPatience`.
    private func enqueueWaitingForRoom(_ enqueue: () -> rd_kafka_resp_err_t) -> rd_kafka_resp_err_t {
        let deadline = ConditionLock.monotonicNow() + queueFullPatience
        while true {
            let code = enqueue()
            guard code == RD_KAFKA_RESP_ERR__QUEUE_FULL, ConditionLock.monotonicNow() < deadline else { return code }
            rd_kafka_poll(handle.pointer, 10)
        }
    }

    private static func enqueueFailure(_ code: rd_kafka_resp_err_t, topic: String) -> ProduceError {
        ProduceError("producing to \(topic): \(KafkaError.describe(code))",
                     isRecordTooLarge: code == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE)
    }

    func flush(timeout: Duration) -> Bool {
        let (seconds, attoseconds) = timeout.components
        let milliseconds = Int32(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000)
        return rd_kafka_flush(handle.pointer, milliseconds) == RD_KAFKA_RESP_ERR_NO_ERROR
    }

    /// Creates `topic` unless this producer already knows it exists.
    func ensureTopic(_ topic: String) throws(KafkaError) {
        guard createsTopics else { return }
        if lock.withLock({ knownTopics.contains(topic) }) { return }
        try admin.create(topic)
        lock.withLock { _ = knownTopics.insert(topic) }
    }

    /// Notes that `topic` exists (created elsewhere), so producing to it needs no admin request.
    func remember(_ topic: String) {
        lock.withLock { _ = knownTopics.insert(topic) }
    }

    /// Hands one record to librdkafka (payload copied); returns its verdict.
    /// `headers` (from `headers(_:)`) become librdkafka's once it is accepted.
    private func enqueue(topic: UnsafePointer<CChar>, partition: Int32?, key: UnsafeRawBufferPointer?,
                         value: UnsafeRawBufferPointer?, headers: OpaquePointer?,
                         opaque: UnsafeMutableRawPointer) -> rd_kafka_resp_err_t {
        // On the stack: at most seven fields, and no array per record.
        let error: OpaquePointer? = withUnsafeTemporaryAllocation(of: rd_kafka_vu_t.self, capacity: 7) { fields in
            var count = 0
            func add(_ type: rd_kafka_vtype_t, _ set: (inout rd_kafka_vu_t) -> Void) {
                var field = rd_kafka_vu_t()
                field.vtype = type
                set(&field)
                fields[count] = field
                count += 1
            }
            add(RD_KAFKA_VTYPE_TOPIC) { $0.u.cstr = topic }
            if let partition { add(RD_KAFKA_VTYPE_PARTITION) { $0.u.i32 = partition } }
            if let key {
                add(RD_KAFKA_VTYPE_KEY) {
                    $0.u.mem.ptr = UnsafeMutableRawPointer(mutating: key.baseAddress)
                    $0.u.mem.size = key.count
                }
            }
            if let value {
                add(RD_KAFKA_VTYPE_VALUE) {
                    $0.u.mem.ptr = UnsafeMutableRawPointer(mutating: value.baseAddress)
                    $0.u.mem.size = value.count
                }
            }
            if let headers { add(RD_KAFKA_VTYPE_HEADERS) { $0.u.headers = headers } }
            add(RD_KAFKA_VTYPE_OPAQUE) { $0.u.ptr = opaque }
            add(RD_KAFKA_VTYPE_MSGFLAGS) { $0.u.i = RD_KAFKA_MSG_F_COPY }
            return rd_kafka_produceva(handle.pointer, fields.baseAddress, count)
        }
        guard let error else { return RD_KAFKA_RESP_ERR_NO_ERROR }
        // The headers are the producer's only once the record is accepted.
        if let headers { rd_kafka_headers_destroy(headers) }
        let code = rd_kafka_error_code(error)
        rd_kafka_error_destroy(error)
        return code
    }

    /// librdkafka headers for a record (nil when it has none).
    private static func headers(_ headers: [OutgoingRecord.Header]) -> OpaquePointer? {
        guard !headers.isEmpty else { return nil }
        let list = rd_kafka_headers_new(headers.count)
        for header in headers {
            header.name.withCString { name in
                header.value.withUnsafeBytes { value in
                    _ = rd_kafka_header_add(list, name, -1, value.baseAddress ?? UnsafeRawPointer(emptyBytes), value.count)
                }
            }
        }
        return list
    }

    /// librdkafka headers for a record a plugin handed over (nil when it has none).
    private static func headers(_ headers: UnsafePointer<sluice_header>?, _ count: Int) -> OpaquePointer? {
        guard let headers, count > 0 else { return nil }
        let list = rd_kafka_headers_new(count)
        for header in UnsafeBufferPointer(start: headers, count: count) {
            _ = rd_kafka_header_add(list, header.name ?? UnsafeRawPointer(emptyBytes).assumingMemoryBound(to: CChar.self),
                                    header.name == nil ? 0 : header.name_len,
                                    header.value.map(UnsafeRawPointer.init) ?? UnsafeRawPointer(emptyBytes),
                                    header.value == nil ? 0 : header.value_len)
        }
        return list
    }

    /// A plugin's key or value: nil stays nil, empty gets a non-NULL address.
    private static func bytes(_ pointer: UnsafePointer<UInt8>?, _ count: Int) -> UnsafeRawBufferPointer? {
        guard let pointer else { return nil }
        return UnsafeRawBufferPointer(start: count == 0 ? UnsafeRawPointer(emptyBytes) : UnsafeRawPointer(pointer), count: count)
    }

    /// A non-NULL address for empty byte strings (a NULL key means "no key").
    // A constant address, never written through.
    nonisolated(unsafe) private static let emptyBytes = UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 1)

    /// Runs `body` with the bytes of `bytes` (nil stays nil, empty gets a non-NULL address).
    private static func withBytes<T>(_ bytes: [UInt8]?, _ body: (UnsafeRawBufferPointer?) -> T) -> T {
        guard let bytes else { return body(nil) }
        if bytes.isEmpty { return body(UnsafeRawBufferPointer(start: emptyBytes, count: 0)) }
        return bytes.withUnsafeBytes { body($0) }
    }

    /// The delivery report of one record: its acknowledgement runs exactly once.
    private static func delivered(_ message: rd_kafka_message_t, context: KafkaClientContext?) {
        guard let opaque = message._private else { return }
        let acknowledgement = Unmanaged<DeliveryReport>.fromOpaque(opaque).takeRetainedValue()
        if message.err == RD_KAFKA_RESP_ERR_NO_ERROR {
            context?.health.markUp()
            acknowledgement.deliver(.success(RecordPlacement(partition: message.partition, offset: message.offset)))
        } else {
            let topic = message.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? "?"
            acknowledgement.deliver(.failure(ProduceError("delivery to \(topic) failed: \(KafkaError.describe(message.err))",
                                                              isRecordTooLarge: message.err == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE)))
        }
    }
}

/// What a record's delivery report calls, passed retained as librdkafka's
/// per-message opaque; the report releases it.
private class DeliveryReport {
    func deliver(_ result: Result<RecordPlacement, ProduceError>) {}
}

/// One record's acknowledgement.
private final class DeliveryAcknowledgement: DeliveryReport {
    let acknowledged: @Sendable (Result<RecordPlacement, ProduceError>) -> Void
    init(_ acknowledged: @escaping @Sendable (Result<RecordPlacement, ProduceError>) -> Void) {
        self.acknowledged = acknowledged
    }
    override func deliver(_ result: Result<RecordPlacement, ProduceError>) { acknowledged(result) }
}

/// The acknowledgement every record of a `produce_batch` call shares: each
/// delivery report counts one record.
private final class BatchDeliveryAcknowledgement: DeliveryReport {
    let acknowledged: @Sendable (_ count: Int, _ failure: ProduceError?) -> Void
    init(_ acknowledged: @escaping @Sendable (_ count: Int, _ failure: ProduceError?) -> Void) {
        self.acknowledged = acknowledged
    }
    override func deliver(_ result: Result<RecordPlacement, ProduceError>) {
        switch result {
        case .success: acknowledged(1, nil)
        case .failure(let error): acknowledged(1, error)
        }
    }
}
