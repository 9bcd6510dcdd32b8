import CRdKafka
import Logging

/// Reads one partition from a given offset, outside any consumer group: what
/// restores a table from its changelog, and what finds a partition's true end.
///
/// A consumer client of its own with no `group.id`, so nothing is joined,
/// stored or committed, read with librdkafka's simple (legacy) consumer API:
/// `rd_kafka_consume_start` at the offset, then `rd_kafka_consume_batch`,
/// which takes whatever librdkafka has prefetched in one call. Batches are
/// built with `KafkaFetchedMessages` like the group consumer's, so payloads
/// are never copied and each batch keeps the client alive for as long as it
/// is held. `enable.partition.eof` tells where the partition ends.
final class KafkaPartitionReader {
    /// The partition read.
    let partition: TopicPartition
    private let handle: KafkaClientHandle
    private let logger: Logger
    private let requestTimeoutMilliseconds: Int32
    /// How long the read may go without a record or the end before it fails
    /// (the broker is away): the longer of 30 s and the request timeout.
    private let stallLimit: Duration

    /// The most records one batch holds.
    static let batchSize = 4096

    /// Creates the client, with the connection properties every client of
    /// `settings` gets (bootstrap servers, security, the rest of the `kafka:`
    /// map) minus group membership, and what a catch-up reader needs.
    init(partition: TopicPartition, settings: KafkaSettings, health: KafkaHealth, logger: Logger) throws(KafkaError) {
        self.partition = partition
        var logger = logger
        logger[metadataKey: "partition"] = .string(partition.description)
        self.logger = logger
        requestTimeoutMilliseconds = settings.requestTimeoutMilliseconds
        stallLimit = max(.seconds(30), settings.requestTimeout)
        var properties: [(String, String)] = [("bootstrap.servers", settings.bootstrapServers)]
        properties += settings.properties.filter { !Self.membershipKeys.contains($0.key) }
            .sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        // Last, so nothing overrides them.
        properties += [
            ("enable.partition.eof", "true"),
            ("enable.auto.commit", "false"),
            ("enable.auto.offset.store", "false"),
            // An offset before the log start (compacted or deleted) starts at the log start.
            ("auto.offset.reset", "earliest"),
            // Metadata requests must never create the topic on a broker that would.
            ("allow.auto.create.topics", "false"),
            // Only what exists is read: the fetch that finds the end should answer at once.
            ("fetch.wait.max.ms", "10"),
        ]
        // Torn down in the background: a restore must not wait for it.
        handle = try KafkaClientHandle(type: RD_KAFKA_CONSUMER, properties: properties,
                                       context: KafkaClientContext(logger: logger, health: health),
                                       destroysInBackground: true)
    }

    /// Properties that would make the reader a group member; it never is one.
    private static let membershipKeys: Set<String> = ["group.id", "group.instance.id", "group.protocol", "group.remote.assignor"]

    // MARK: - The end

    /// The partition's end offset: one past its last record, 0 when it does
    /// not exist.
    ///
    /// The high watermark of ListOffsets, checked by fetching its last
    /// record: some brokers (the local Tansu) answer ListOffsets with the last
    /// batch's base offset + 1, while the high watermark in a Fetch response
    /// (what `enable.partition.eof` reports) is right. The check costs one
    /// fetch from the last offset, a batch at most.
    func endOffset() throws(KafkaError) -> Int64 {
        guard let (low, high) = try watermarks(what: "end offset of \(partition)") else { return 0 }
        guard high > low else { return high }
        var end = high
        try read(from: high - 1, to: .max, what: "end offset of \(partition)") { messages, eof in
            if let last = messages.last { end = max(end, last.pointee.offset + 1) }
            for message in messages { rd_kafka_message_destroy(message) }
            if let eof { end = max(end, eof) }
            return true
        }
        return end
    }

    /// The low and high watermarks ListOffsets answers (the high one may be
    /// short on some brokers, see `endOffset`); nil when the partition does
    /// not exist.
    private func watermarks(what: String) throws(KafkaError) -> (low: Int64, high: Int64)? {
        var low: Int64 = 0
        var high: Int64 = 0
        let code = rd_kafka_query_watermark_offsets(handle.pointer, partition.topic, partition.partition,
                                                    &low, &high, requestTimeoutMilliseconds)
        switch code {
        case RD_KAFKA_RESP_ERR_NO_ERROR:
            return (low, high)
        case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION, RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART, RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
            return nil
        default:
            throw KafkaError(what, code: code)
        }
    }

    // MARK: - Replay

    /// Hands the records in [`offset`, `end`) to `body` in batches of at most
    /// `batchSize`, in offset order; see `Transport.replay`. Stops after the
    /// record at `end - 1` or later, or at the partition's end (gaps, and an
    /// `end` past the partition's end, are fine).
    func replay(from offset: Int64, to end: Int64, _ body: (FetchedBatch) throws -> Void) throws {
        guard offset < end else { return }
        let what = "replaying \(partition) from offset \(offset)"
        // Asked first: a fetch from a partition that does not exist would
        // only wait (librdkafka keeps looking for it) until `stallLimit`.
        guard let (low, high) = try watermarks(what: what) else {
            throw KafkaError("\(what): the partition does not exist")
        }
        if high <= low { return }   // empty: nothing to read, no fetch to wait for
        var failure: (any Error)?
        try read(from: max(0, offset), to: end, what: what) { messages, _ in
            guard !messages.isEmpty else { return true }
            do {
                try body(KafkaFetchedMessages.batch(source: partition, messages: messages, handle: handle))
                return true
            } catch {
                failure = error
                return false
            }
        }
        if let failure { throw failure }
    }

    /// Reads from `offset` and hands `deliver` each run of consecutive
    /// records in [`offset`, `end`) (possibly empty; `deliver` owns them),
    /// with the partition's end offset once it is reached. Returns after the
    /// record at `end - 1` or later was delivered, at the partition's end, or
    /// when `deliver` returns false; throws when the broker refuses the
    /// read or nothing comes for `stallLimit`.
    private func read(from offset: Int64, to end: Int64, what: String,
                      _ deliver: ([UnsafeMutablePointer<rd_kafka_message_t>], _ endOfPartition: Int64?) -> Bool) throws(KafkaError) {
        guard let topic = rd_kafka_topic_new(handle.pointer, partition.topic, nil) else {
            throw KafkaError("\(what)", code: rd_kafka_last_error())
        }
        defer { rd_kafka_topic_destroy(topic) }
        guard rd_kafka_consume_start(topic, partition.partition, offset) == 0 else {
            throw KafkaError("\(what)", code: rd_kafka_last_error())
        }
        // Messages already handed out stay valid; only what is still queued is dropped.
        defer { rd_kafka_consume_stop(topic, partition.partition) }

        let buffer = UnsafeMutablePointer<UnsafeMutablePointer<rd_kafka_message_t>?>.allocate(capacity: Self.batchSize)
        defer { buffer.deallocate() }
        var lastProgress = ConditionLock.monotonicNow()
        while true {
            // Takes what is queued without waiting; when nothing is, waits for
            // one record (a batch call would wait until its buffer is full).
            var count = Int(rd_kafka_consume_batch(topic, partition.partition, 0, buffer, Self.batchSize))
            if count == 0, let one = rd_kafka_consume(topic, partition.partition, 100) {
                buffer[0] = one
                count = 1
            }
            guard count >= 0 else { throw KafkaError("\(what)", code: rd_kafka_last_error()) }
            guard count > 0 else {
                if ConditionLock.monotonicNow() - lastProgress > stallLimit {
                    throw KafkaError("\(what): nothing from the broker for \(stallLimit); is it reachable?")
                }
                continue
            }
            lastProgress = ConditionLock.monotonicNow()

            var records: [UnsafeMutablePointer<rd_kafka_message_t>] = []
            records.reserveCapacity(count)
            var endOfPartition: Int64?
            var finished = false
            var problem: KafkaError?
            for index in 0..<count {
                guard let message = buffer[index] else { continue }
                let code = message.pointee.err
                let messageOffset = message.pointee.offset
                if finished || problem != nil {
                    rd_kafka_message_destroy(message)
                } else if code == RD_KAFKA_RESP_ERR__PARTITION_EOF {
                    // Every record before the end was queued ahead of this.
                    endOfPartition = messageOffset
                    finished = true
                    rd_kafka_message_destroy(message)
                } else if code != RD_KAFKA_RESP_ERR_NO_ERROR {
                    if Self.isTransient(code) {
                        logger.debug("kafka read error; retrying", metadata: ["error": .string(KafkaError.describe(code))])
                    } else {
                        var detail = KafkaError.describe(code)
                        if let text = rd_kafka_message_errstr(message) { detail += " (\(String(cString: text)))" }
                        problem = KafkaError("\(what): at offset \(messageOffset): \(detail)")
                    }
                    rd_kafka_message_destroy(message)
                } else if messageOffset < offset {
                    // Before the start: only after a reset to the log start (the offset was past the end).
                    rd_kafka_message_destroy(message)
                } else if messageOffset >= end {
                    finished = true
                    rd_kafka_message_destroy(message)
                } else {
                    records.append(message)
                    if messageOffset >= end - 1 { finished = true }
                }
            }
            if let problem {
                for message in records { rd_kafka_message_destroy(message) }
                throw problem
            }
            if !deliver(records, endOfPartition) || finished { return }
        }
    }

    /// Errors librdkafka recovers from by itself (the broker is away or
    /// leadership moves): the read goes on, bounded by `stallLimit`.
    private static func isTransient(_ code: rd_kafka_resp_err_t) -> Bool {
        switch code {
        case RD_KAFKA_RESP_ERR__TRANSPORT, RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN, RD_KAFKA_RESP_ERR__TIMED_OUT,
             RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
             RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE, RD_KAFKA_RESP_ERR_FENCED_LEADER_EPOCH,
             RD_KAFKA_RESP_ERR_UNKNOWN_LEADER_EPOCH, RD_KAFKA_RESP_ERR__RESOLVE:
            true
        default:
            false
        }
    }
}
