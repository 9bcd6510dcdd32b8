import CRdKafka
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
        guard !record.topic.isEmpty else {
            acknowledged(.failure(ProduceError("topic name is empty")))
            return
        }
        if !lock.withLock({ knownTopics.contains(record.topic) }) {
            do {
                try ensureTopic(record.topic)
            } catch {
                acknowledged(.failure(ProduceError("\(error)")))
                return
            }
        }
        let opaque = Unmanaged.passRetained(DeliveryAcknowledgement(acknowledged)).toOpaque()
        let deadline = ConditionLock.monotonicNow() + queueFullPatience
        while true {
            let code = enqueue(record, opaque: opaque)
            if code == RD_KAFKA_RESP_ERR_NO_ERROR { return }
            // A full local queue is backpressure, not failure: wait while the
            // poll thread serves delivery reports.
            if code == RD_KAFKA_RESP_ERR__QUEUE_FULL, ConditionLock.monotonicNow() < deadline {
                rd_kafka_poll(handle.pointer, 10)
                continue
            }
            Unmanaged<DeliveryAcknowledgement>.fromOpaque(opaque).release()
            acknowledged(.failure(ProduceError("producing to \(record.topic): \(KafkaError.describe(code))",
                                               isRecordTooLarge: code == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE)))
            return
        }
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
    private func enqueue(_ record: OutgoingRecord, opaque: UnsafeMutableRawPointer) -> rd_kafka_resp_err_t {
        var headers: OpaquePointer?
        if !record.headers.isEmpty {
            headers = rd_kafka_headers_new(record.headers.count)
            for header in record.headers {
                header.name.withCString { name in
                    header.value.withUnsafeBytes { value in
                        _ = rd_kafka_header_add(headers, name, -1, value.baseAddress ?? UnsafeRawPointer(Self.emptyBytes),
                                                value.count)
                    }
                }
            }
        }
        let error: OpaquePointer? = record.topic.withCString { topic in
            Self.withBytes(record.key) { key in
                Self.withBytes(record.value) { value in
                    var fields: [rd_kafka_vu_t] = []
                    fields.reserveCapacity(7)
                    var field = rd_kafka_vu_t()
                    field.vtype = RD_KAFKA_VTYPE_TOPIC
                    field.u.cstr = topic
                    fields.append(field)
                    if let partition = record.partition {
                        field = rd_kafka_vu_t()
                        field.vtype = RD_KAFKA_VTYPE_PARTITION
                        field.u.i32 = partition
                        fields.append(field)
                    }
                    if let key {
                        field = rd_kafka_vu_t()
                        field.vtype = RD_KAFKA_VTYPE_KEY
                        field.u.mem.ptr = UnsafeMutableRawPointer(mutating: key.baseAddress)
                        field.u.mem.size = key.count
                        fields.append(field)
                    }
                    if let value {
                        field = rd_kafka_vu_t()
                        field.vtype = RD_KAFKA_VTYPE_VALUE
                        field.u.mem.ptr = UnsafeMutableRawPointer(mutating: value.baseAddress)
                        field.u.mem.size = value.count
                        fields.append(field)
                    }
                    if let headers {
                        field = rd_kafka_vu_t()
                        field.vtype = RD_KAFKA_VTYPE_HEADERS
                        field.u.headers = headers
                        fields.append(field)
                    }
                    field = rd_kafka_vu_t()
                    field.vtype = RD_KAFKA_VTYPE_OPAQUE
                    field.u.ptr = opaque
                    fields.append(field)
                    field = rd_kafka_vu_t()
                    field.vtype = RD_KAFKA_VTYPE_MSGFLAGS
                    field.u.i = RD_KAFKA_MSG_F_COPY
                    fields.append(field)
                    return rd_kafka_produceva(handle.pointer, fields, fields.count)
                }
            }
        }
        guard let error else { return RD_KAFKA_RESP_ERR_NO_ERROR }
        // The headers are the producer's only once the record is accepted.
        if let headers { rd_kafka_headers_destroy(headers) }
        let code = rd_kafka_error_code(error)
        rd_kafka_error_destroy(error)
        return code
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
        let acknowledgement = Unmanaged<DeliveryAcknowledgement>.fromOpaque(opaque).takeRetainedValue()
        if message.err == RD_KAFKA_RESP_ERR_NO_ERROR {
            context?.health.markUp()
            acknowledgement.acknowledged(.success(RecordPlacement(partition: message.partition, offset: message.offset)))
        } else {
            let topic = message.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? "?"
            acknowledgement.acknowledged(.failure(ProduceError("delivery to \(topic) failed: \(KafkaError.describe(message.err))",
                                                              isRecordTooLarge: message.err == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE)))
        }
    }
}

/// The closure one record's delivery report calls, boxed for librdkafka's per-message opaque.
private final class DeliveryAcknowledgement {
    let acknowledged: @Sendable (Result<RecordPlacement, ProduceError>) -> Void
    init(_ acknowledged: @escaping @Sendable (Result<RecordPlacement, ProduceError>) -> Void) {
        self.acknowledged = acknowledged
    }
}
