import CRdKafka

/// A Kafka operation failed: librdkafka's error name and text, plus what the
/// host was doing. Never carries a configuration value (they may be secrets).
public struct KafkaError: Error, Sendable, CustomStringConvertible {
    /// One line: what failed and why.
    public let description: String

    /// An error with a free-form description.
    public init(_ description: String) {
        self.description = description
    }

    /// An error for librdkafka's `code` while doing `what`.
    init(_ what: String, code: rd_kafka_resp_err_t) {
        self.init("\(what): \(KafkaError.describe(code))")
    }

    /// librdkafka's name and text for `code`, e.g. `_TIMED_OUT: Local: Timed out`.
    static func describe(_ code: rd_kafka_resp_err_t) -> String {
        "\(String(cString: rd_kafka_err2name(code))): \(String(cString: rd_kafka_err2str(code)))"
    }

    /// The NUL-terminated text librdkafka wrote into an error buffer.
    static func text(of buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
