import Foundation
@testable import SluiceHost
import Testing
import TestSupport

/// How long a restore takes per million changelog records on the local
/// broker, into RocksDB, against a plain replay of the same records (the
/// reading alone). A measurement, not a test of speed: it asserts only that
/// the restore is right. Runs with SLUICE_MEASURE_RESTORE=<records> (e.g.
/// 1000000); docs/state.md quotes its figures.
@Suite("Restore speed (measured on request)")
struct RestoreSpeedMeasurement {
    static let records = Int(ProcessInfo.processInfo.environment["SLUICE_MEASURE_RESTORE"] ?? "") ?? 0

    @Test("restore N changelog records into RocksDB; print the rate next to a plain replay's",
          .enabled(if: records > 0))
    func measureRestore() async throws {
        let world = try KafkaTestWorld()
        let transport = try world.transport()
        let topic = ChangelogRecord.topic(consumerGroup: world.name("group") + ".measure", table: "counts")
        let directory = try TemporaryDirectory(prefix: "sluice-restore-measure")
        defer { directory.remove() }
        let total = Self.records
        let keys = 10_000
        try await DedicatedThread.run("measure-seed") { () throws -> Void in
            try transport.ensureChangelogTopic(topic, partitions: 1)
            let perSeal = 1_000
            for seal in 0..<(total / perSeal) {
                for index in 0..<perSeal {
                    let record = seal * perSeal + index
                    let write = StateWrite(table: "counts", key: Array("k\(record % keys)".utf8), value: Array("\(record)".utf8))
                    transport.producer.produce(ChangelogRecord.record(for: write, topic: topic, partition: 0, owner: "o1",
                                                                      seal: UInt64(seal + 1))) { _ in }
                }
                let marker = SealMarker(owner: "o1", seal: UInt64(seal + 1), offset: Int64(seal * perSeal + perSeal - 1))
                transport.producer.produce(ChangelogRecord.record(for: marker, topic: topic, partition: 0)) { _ in }
            }
            _ = transport.producer.flush(timeout: .seconds(300))
        }
        let (replaySeconds, restoreSeconds, restored) = try await DedicatedThread.run("measure-restore") { () throws -> (Double, Double, Int64) in
            let partition = TopicPartition(topic, 0)
            let end = try transport.endOffset(of: partition)
            let clock = ContinuousClock()
            var read = 0
            let replayStart = clock.now
            try transport.replay(partition, from: 0, to: end) { read += $0.count }
            let replay = clock.now - replayStart
            let store = try RocksDBStateStore(path: directory.file("state"))
            defer { store.close() }
            let restorer = StateRestorer(partition: TopicPartition("input", 0), store: store, transport: transport,
                                         changelogs: ["counts": topic]) { _, _ in }
            let restoreStart = clock.now
            let outcome = try restorer.restore()
            let restore = clock.now - restoreStart
            func seconds(_ duration: Duration) -> Double { Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18 }
            return (seconds(replay), seconds(restore), outcome.restoredRecords)
        }
        let perMillion = restoreSeconds / Double(restored) * 1_000_000
        print(String(format: "restore: %d changelog records in %.2f s (%.0f records/s, %.2f s per million); plain replay %.2f s; ratio %.2f",
                     restored, restoreSeconds, Double(restored) / restoreSeconds, perMillion, replaySeconds, replaySeconds / restoreSeconds))
        #expect(restored == Int64(total + total / 1_000))
    }
}
