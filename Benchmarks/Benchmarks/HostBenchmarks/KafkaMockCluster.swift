import Foundation
import KafkaMockCluster

/// librdkafka's in-process mock cluster (one broker, `test.mock.num.brokers=1`)
/// holding one topic, for the Kafka micro-benchmarks: Kafka's fetch path
/// without a broker process. The mock keeps about 5 MB per partition (it
/// drops older record batches beyond that), so a topic holds ≈ 40,000
/// 100-byte records per partition.
final class KafkaMockClusterWorld {
    /// A failure of the mock cluster or of the anchor reader.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    private let cluster: OpaquePointer
    /// host:port of the mock broker, for the clients under test.
    let bootstraps: String
    /// The filled topic.
    let topic: String
    /// Records in it.
    let records: Int
    private var groups = 0

    /// Starts a cluster and fills `topic` (`partitions` partitions) with
    /// `records` values of `valueBytes` bytes, round-robin.
    init(topic: String, partitions: Int, records: Int, valueBytes: Int) throws {
        var error = [CChar](repeating: 0, count: 512)
        guard let cluster = kafka_mock_cluster_start(&error, error.count) else {
            throw Failure(description: "mock cluster: \(Self.text(error))")
        }
        self.cluster = cluster
        bootstraps = String(cString: kafka_mock_cluster_bootstraps(cluster))
        self.topic = topic
        self.records = records
        guard kafka_mock_cluster_fill(cluster, topic, Int32(partitions), records, Int32(valueBytes), &error, error.count) == 0 else {
            kafka_mock_cluster_stop(cluster)
            throw Failure(description: "mock cluster: \(Self.text(error))")
        }
    }

    deinit { kafka_mock_cluster_stop(cluster) }

    /// The NUL-terminated message in `buffer`.
    static func text(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// A consumer group nobody used yet (each run reads the topic from its start).
    func freshGroup(_ prefix: String) -> String {
        groups += 1
        return "\(prefix)-\(getpid())-\(groups)"
    }

    /// The anchor: librdkafka's batch-queue loop in `group`. Returns the
    /// records it read in `measured` (everything after its first batch).
    func readWithBatchQueue(group: String, batchSize: Int, measured: (_ body: () -> Int) -> Int) throws -> Int {
        var error = [CChar](repeating: 0, count: 512)
        guard let reader = kafka_batch_reader_open(bootstraps, topic, group, &error, error.count) else {
            throw Failure(description: "anchor reader: \(Self.text(error))")
        }
        defer { kafka_batch_reader_close(reader) }
        // The group join and the first batch are not measured.
        let first = kafka_batch_reader_read(reader, Int(batchSize), Int32(batchSize), 30_000)
        guard first > 0 else { throw Failure(description: "anchor reader: no record within 30 s") }
        let rest = records - first
        let read = measured { kafka_batch_reader_read(reader, rest, Int32(batchSize), 5_000) }
        guard read == rest else { throw Failure(description: "anchor reader: read \(read) of \(rest)") }
        return read
    }
}
