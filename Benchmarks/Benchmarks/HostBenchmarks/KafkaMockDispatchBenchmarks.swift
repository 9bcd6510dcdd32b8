import Benchmark
import Foundation
import Logging
import SluiceHost

/// S1mock: Kafka's fetch-to-dispatch path without a broker process, on
/// librdkafka's in-process mock cluster (`KafkaMockClusterWorld`): 160,000
/// records of 100 bytes in 4 partitions, read from the start by a fresh
/// consumer group per iteration, batches of up to 1,000. Three readers of the
/// same topic:
///
/// - `S1mock.anchor.consumeBatchQueue`: librdkafka's batch-queue loop (S1's
///   anchor), each message destroyed right after its batch;
/// - `S1mock.hostConsumer.poll`: the host's Kafka consumer (`KafkaTransport`,
///   per-partition fetch queues, `FetchedBatch`es of `sluice_message`s), each
///   batch released (finished) as soon as it is returned;
/// - `S1mock.runtime.noopC`: the whole host (`SluiceRuntime` on
///   `KafkaTransport`: consumer, partition lanes, worker pool, offset ledger,
///   commits) with the no-op C agent, as `sluice run` does in S1.
///
/// The group join and the first batch are not measured. Each iteration
/// reports, besides package-benchmark's metrics, the records it measured and
/// the wall and process CPU nanoseconds per record (CPU of every thread,
/// the in-process mock broker's included: compare the readers, not the
/// absolute figures). `mallocCountTotal` counts every thread's mallocs in the
/// measured part (the mock broker's too); divide by the measured records.
func registerKafkaMockDispatchBenchmarks() {
    let records = ProcessInfo.processInfo.environment["SLUICE_BENCH_S1MOCK_RECORDS"].flatMap(Int.init) ?? 160_000
    let configuration = Benchmark.Configuration(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .peakMemoryResident] + KafkaMockMeasurement.metrics,
        warmupIterations: 1,
        scalingFactor: .one,
        maxDuration: .seconds(60),
        maxIterations: 5)
    let batchSize = 1_000

    nonisolated(unsafe) var anchorWorld: KafkaMockClusterWorld?
    Benchmark("S1mock.anchor.consumeBatchQueue", configuration: configuration) { benchmark in
        guard let world = anchorWorld else { return benchmark.error("S1mock: no mock cluster") }
        _ = try world.readWithBatchQueue(group: world.freshGroup("anchor"), batchSize: batchSize) { body in
            KafkaMockMeasurement.measure(benchmark, body)
        }
    } setup: {
        anchorWorld = try KafkaMockClusterWorld(topic: "s1mock", partitions: 4, records: records, valueBytes: 100)
    } teardown: {
        anchorWorld = nil
    }

    nonisolated(unsafe) var consumerWorld: (cluster: KafkaMockClusterWorld, transport: KafkaTransport)?
    Benchmark("S1mock.hostConsumer.poll", configuration: configuration) { benchmark in
        guard let (world, transport) = consumerWorld else { return benchmark.error("S1mock: no mock cluster") }
        let consumer = try transport.makeConsumer(group: world.freshGroup("host"), topics: [world.topic],
                                                  listener: KafkaMockPassiveListener())
        defer { consumer.close() }
        // The group join and the first batches are not measured.
        let first = try poll(consumer, until: { $0 > 0 }, batchSize: batchSize)
        let rest = world.records - first
        try KafkaMockMeasurement.measure(benchmark) {
            try poll(consumer, until: { $0 >= rest }, batchSize: batchSize)
        }
    } setup: {
        let cluster = try KafkaMockClusterWorld(topic: "s1mock", partitions: 4, records: records, valueBytes: 100)
        consumerWorld = (cluster, try KafkaMockRuntimeWorld.transport(bootstraps: cluster.bootstraps))
    } teardown: {
        consumerWorld = nil
    }

    nonisolated(unsafe) var runtimeWorld: KafkaMockRuntimeWorld?
    Benchmark("S1mock.runtime.noopC", configuration: configuration) { benchmark in
        guard let world = runtimeWorld else { return benchmark.error("S1mock: no mock cluster") }
        try world.run(batchSize: batchSize) { body in try KafkaMockMeasurement.measure(benchmark, body) }
    } setup: {
        runtimeWorld = try KafkaMockRuntimeWorld(
            cluster: KafkaMockClusterWorld(topic: "s1mock", partitions: 4, records: records, valueBytes: 100))
    } teardown: {
        runtimeWorld?.remove()
        runtimeWorld = nil
    }
}

/// Polls `consumer` as the host's fetcher does (the default `max_in_flight`
/// as the record budget), releasing every batch at once, until `done` holds
/// for the records taken; fails after 30 s without a record.
private func poll(_ consumer: any RecordConsumer, until done: (Int) -> Bool, batchSize: Int) throws -> Int {
    var taken = 0
    var lastRecord = ProcessClocks.wallNanoseconds
    while !done(taken) {
        let batches = try consumer.poll(maxBatchSize: batchSize, maxRecords: AgentSettings().maxInFlight,
                                        timeout: .milliseconds(100))
        for batch in batches { taken += batch.count }
        if !batches.isEmpty {
            lastRecord = ProcessClocks.wallNanoseconds
        } else if ProcessClocks.wallNanoseconds - lastRecord > 30_000_000_000 {
            throw KafkaMockClusterWorld.Failure(description: "host consumer: no record for 30 s after \(taken)")
        }
    }
    return taken
}

/// Takes every assignment as it is (the benchmark's consumer has no lanes).
private final class KafkaMockPassiveListener: ConsumerListener, Sendable {
    func assigned(_ partitions: [TopicPartition], startOffsets: [TopicPartition: Int64]) -> [TopicPartition: Int64] { [:] }
    func revoked(_ partitions: [TopicPartition]) {}
}
