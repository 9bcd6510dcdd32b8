import Foundation
import SluiceHost
import Testing
import TestSupport

/// Hot reload on `kafka://`: the plugin file replaced under load,
/// removed and put back, with the offsets checked on the broker.
@Suite("Kafka hot reload", .serialized, .timeLimit(.minutes(3)))
struct KafkaHotReloadTests {
    @Test("replacing the file 3 times under load: nothing lost, no record handled by both versions, pause per swap printed")
    func swapsUnderLoad() async throws {
        var host = try KafkaHost()
        let world = host.world
        defer { host.remove() }
        host.harness.configuration.agentDefaults.batchSize = 50
        host.harness.configuration.agentDefaults.maxInFlight = 200
        let total = 20_000
        // 120 ms per batch of 50 (the sidecar stays across swaps): the run
        // takes seconds, so the swaps (each compiles the plugin) come while
        // records flow, however fast the machine reads Kafka.
        let (input, output, _, _, ends) = try await host.installRecorderPipeline(
            records: total, version: "1", recorderSettings: "  delay_us: 120000\n")

        let (pauses, processedAtLastSwap, reader) = try await host.withRuntime { runtime in
            var pauses: [Duration] = []
            for swap in 1...3 {
                // Swap while records are flowing: after a share of them, well before the end.
                try await eventually(timeout: .seconds(60), "records flowing before swap \(swap)") {
                    (runtime.agent("recorder")?.status.processed ?? 0) >= swap * 2_000
                }
                let before = runtime.reloadEvents.count
                try await host.harness.installRecorder(version: swap % 2 == 1 ? "2" : "1")
                try await eventually(timeout: .seconds(30), "swap \(swap) done") { runtime.reloadEvents.count > before }
                let event = try #require(runtime.reloadEvents.last)
                #expect(event.outcome == .upgraded, "swap \(swap): \(event.outcome)")
                if let pause = event.pause { pauses.append(pause) }
            }
            let processedAtLastSwap = runtime.agent("recorder")?.status.processed ?? 0
            let reader = try await host.reader(output)
            try await eventually(timeout: .seconds(120), "every record handled") {
                _ = await reader.count
                return RecordingLedger(reader.records).missing(ends: ends) == 0
            }
            return (pauses, processedAtLastSwap, reader)
        }
        _ = await reader.count
        let recorded = RecordingLedger(reader.records)
        print("kafka hot reload: pause per swap: \(pauses.map { "\($0)" }); "
              + "last swap after \(processedAtLastSwap) of \(total) records; duplicates: \(recorded.duplicates)")
        #expect(processedAtLastSwap < total, "the last swap came while records were still flowing")
        #expect(recorded.missing(ends: ends) == 0)
        // An in-place swap keeps the assignment (no rebalance) and drains the
        // old instance before the new one opens: nothing is handled twice.
        #expect(recorded.duplicates == 0)
        // Per partition, the version changes only at swaps and ends on the last one ("2").
        for partition in ends.keys.sorted() {
            let versions = reader.records.filter { $0.partition == partition }.sorted { $0.offset < $1.offset }
                .compactMap { $0.headers["recorder.version"] }
            var changes = 0
            for index in versions.indices.dropFirst() where versions[index] != versions[index - 1] { changes += 1 }
            #expect(changes <= 3, "partition \(partition): \(changes) version changes for 3 swaps")
            #expect(versions.last == "2", "partition \(partition) ends on the last version")
        }
        #expect(try await world.committed(group: host.group(of: "recorder"), topic: input) == ends)
    }

    @Test("removing the file stops the agent with its offsets committed on the broker; putting it back resumes there")
    func removeAndRestore() async throws {
        let host = try KafkaHost()
        let world = host.world
        defer { host.remove() }
        let (input, output, _, seeding, firstEnds) = try await host.installRecorderPipeline(records: 1000, version: "1")

        let (reader, ends) = try await host.withRuntime { runtime in
            let reader = try await host.reader(output)
            try await reader.waitForRecords(atLeast: 1000, "the first 1000 recorded")

            try FileManager.default.removeItem(atPath: host.harness.pluginsDirectory + "/recorder.so")
            try await eventually(timeout: .seconds(30), "agent stopped") { runtime.agent("recorder") == nil }
            // The host records the event just after it removes the agent: wait for it.
            try await eventually(timeout: .seconds(10), "the stop recorded") { runtime.reloadEvents.last?.outcome == .stopped }
            #expect(try await world.committed(group: host.group(of: "recorder"), topic: input) == firstEnds,
                    "everything handled was committed on the broker when the agent stopped")

            try await world.produce(input, count: 1000, through: seeding) { "later-\($0)" }
            let ends = try await world.endOffsets(input, expected: 2000)
            try await host.harness.installRecorder(version: "2")
            try await eventually(timeout: .seconds(30), "agent back") { runtime.agent("recorder") != nil }
            try await reader.waitForRecords(atLeast: 2000, "resumed where it left off")
            return (reader, ends)
        }

        let recorded = RecordingLedger(reader.records)
        #expect(recorded.missing(ends: ends) == 0)
        #expect(recorded.duplicates == 0, "no record handled twice across the stop")
        #expect(reader.records.filter { $0.headers["recorder.version"] == "2" }.count == 1000,
                "version 2 handled exactly the records produced while it was gone")
        #expect(try await world.committed(group: host.group(of: "recorder"), topic: input) == ends)
    }
}
