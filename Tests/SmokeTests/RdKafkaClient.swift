import CRdKafka

/// Creating librdkafka handles from Swift: configuration from key/value pairs,
/// errors turned into thrown `SmokeFailure`s with librdkafka's own message.
enum RdKafkaClient {
    private static let errorCapacity = 512

    /// A configuration object holding `settings`; the caller owns it until it
    /// passes it to `rd_kafka_new`.
    static func configuration(_ settings: KeyValuePairs<String, String>) throws -> OpaquePointer {
        guard let conf = rd_kafka_conf_new() else { throw SmokeFailure("rd_kafka_conf_new returned NULL") }
        var error = [CChar](repeating: 0, count: errorCapacity)
        for (key, value) in settings where rd_kafka_conf_set(conf, key, value, &error, errorCapacity) != RD_KAFKA_CONF_OK {
            rd_kafka_conf_destroy(conf)
            throw SmokeFailure("\(key)=\(value) rejected: \(text(of: error))")
        }
        return conf
    }

    /// A client handle of `type` that owns `conf` from now on (also on failure
    /// paths after this call, as librdkafka documents).
    static func handle(_ type: rd_kafka_type_t, _ conf: OpaquePointer) throws -> OpaquePointer {
        var error = [CChar](repeating: 0, count: errorCapacity)
        guard let handle = rd_kafka_new(type, conf, &error, errorCapacity) else {
            rd_kafka_conf_destroy(conf)   // not taken over when rd_kafka_new fails
            throw SmokeFailure("rd_kafka_new failed: \(text(of: error))")
        }
        return handle
    }

    /// The NUL-terminated text librdkafka wrote into an error buffer.
    static func text(of buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// librdkafka's text for an error code.
    static func describe(_ code: rd_kafka_resp_err_t) -> String {
        "\(String(cString: rd_kafka_err2name(code))): \(String(cString: rd_kafka_err2str(code)))"
    }
}
