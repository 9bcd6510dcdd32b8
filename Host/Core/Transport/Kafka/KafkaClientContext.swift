import CRdKafka
import Logging

/// What librdkafka's callbacks need, reached through the client's opaque
/// pointer: the logger, the shared health, and (for a consumer) the consumer
/// whose rebalance and commit callbacks these are.
///
/// Owned by the `KafkaClientHandle`, so it outlives every callback of the
/// client (librdkafka's own threads log until `rd_kafka_destroy` returns).
final class KafkaClientContext: @unchecked Sendable {
    // @unchecked: `consumer` is written once, before the client can call back.
    let logger: Logger
    let health: KafkaHealth
    /// The consumer served by this client's rebalance callback (weak: the
    /// consumer owns the handle that owns this context).
    weak var consumer: KafkaConsumer?

    init(logger: Logger, health: KafkaHealth) {
        self.logger = logger
        self.health = health
    }

    /// The opaque pointer to pass to `rd_kafka_conf_set_opaque`.
    var opaque: UnsafeMutableRawPointer { Unmanaged.passUnretained(self).toOpaque() }

    /// The context behind a callback's opaque pointer.
    static func from(_ opaque: UnsafeMutableRawPointer?) -> KafkaClientContext? {
        opaque.map { Unmanaged<KafkaClientContext>.fromOpaque($0).takeUnretainedValue() }
    }

    /// Installs the log and error callbacks on `conf`.
    func installCallbacks(on conf: OpaquePointer) {
        rd_kafka_conf_set_opaque(conf, opaque)
        rd_kafka_conf_set_log_cb(conf) { handle, level, facility, message in
            guard let handle, let context = KafkaClientContext.from(rd_kafka_opaque(handle)) else { return }
            context.log(level: level, facility: facility.map { String(cString: $0) } ?? "",
                        message: message.map { String(cString: $0) } ?? "")
        }
        rd_kafka_conf_set_error_cb(conf) { handle, code, reason, opaque in
            guard let context = KafkaClientContext.from(opaque) else { return }
            let text = reason.map { String(cString: $0) } ?? ""
            context.clientError(code: rd_kafka_resp_err_t(code), reason: text, fatal: handle.map(KafkaClientContext.isFatal) ?? false)
        }
    }

    private static func isFatal(_ handle: OpaquePointer) -> Bool {
        var buffer = [CChar](repeating: 0, count: 256)
        return rd_kafka_fatal_error(handle, &buffer, buffer.count) != RD_KAFKA_RESP_ERR_NO_ERROR
    }

    /// librdkafka's syslog levels mapped onto swift-log's.
    private func log(level: Int32, facility: String, message: String) {
        let swiftLevel: Logger.Level = switch level {
        case ...2: .critical
        case 3: .error
        case 4: .warning
        case 5: .notice
        case 6: .info
        default: .debug
        }
        // Properties are shared by consumers and the producer on purpose: the
        // "ignored by this producer/consumer instance" notes are expected.
        let level = facility == "CONFWARN" && message.contains("will be ignored by this") ? .debug : swiftLevel
        logger.log(level: level, "\(message)", metadata: ["source": "librdkafka", "facility": .string(facility)])
    }

    /// An error the client reports outside any request: a broker going away is
    /// expected to heal (librdkafka reconnects), so it only marks the broker down.
    private func clientError(code: rd_kafka_resp_err_t, reason: String, fatal: Bool) {
        switch code {
        case RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN, RD_KAFKA_RESP_ERR__TRANSPORT, RD_KAFKA_RESP_ERR__RESOLVE,
             RD_KAFKA_RESP_ERR__TIMED_OUT:
            health.markDown("\(KafkaError.describe(code)) \(reason)")
        default:
            break
        }
        if fatal {
            logger.critical("kafka client hit a fatal error", metadata: ["error": .string("\(KafkaError.describe(code)) \(reason)")])
        } else {
            logger.debug("kafka client error", metadata: ["error": .string("\(KafkaError.describe(code)) \(reason)")])
        }
    }
}
