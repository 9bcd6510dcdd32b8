import Foundation
import SluiceHost
import Testing
import TestSupport

/// Reliability: a plugin that segfaults. Plugins run inside the host's
/// process, so a SIGSEGV takes the whole host down; at-least-once means that
/// after a restart nothing is lost. A plugin that crashes on one particular
/// record crashes again on the next restart, at the same record (offsets
/// after it are never committed); after two crashes in a batch the crash
/// quarantine hands that range over record by record (the record itself is
/// dead-lettered by the host after a third crash, CrashQuarantineTests). Here
/// the operator replaces the plugin after two crashes instead, and the fixed
/// release gets the range record by record (see docs/isolation.md).
@Suite("Crashing plugin on kafka://", .serialized, .timeLimit(.minutes(4)))
struct CrashingPluginTests {
    @Test("SIGSEGV on one record: the host dies, dies again on restart at the same record; a fixed plugin, handed the range record by record, then finishes everything, nothing lost")
    func segfaultThenFixedRelease() async throws {
        let host = try KafkaHost()
        let world = host.world
        defer { host.remove() }
        let deadLetters = world.name("recorder-dlq")
        let total = 2000, crashAt = 1200
        let (input, output, sidecar, seeding, ends) = try await host.installRecorderPipeline(
            records: total, sidecarSettings: "dead_letter_topic: \(deadLetters)\n") { $0 == crashAt ? "segv-\($0)" : "v\($0)" }
        try await seeding.createTopicIfMissing(deadLetters)

        let configuration = host.harness.directory.file("sluice.yaml")
        try host.configurationFile(pluginsDirectory: host.harness.pluginsDirectory, dataDirectory: host.harness.directory.file("data"))
            .write(toFile: configuration, atomically: true, encoding: .utf8)
        let log = host.harness.directory.file("sluice.log")

        // Two runs with the crashing release: each dies without a graceful stop.
        var recordedAfterCrash: [Int] = []
        for _ in 0..<2 {
            let process = try SluiceProcess(configuration: configuration, logFile: log)
            try await eventually(timeout: .seconds(90), "the host dies of the plugin's SIGSEGV") { !process.isRunning }
            #expect(!process.log.contains("host stopped"), "the host stopped gracefully instead of crashing:\n\(process.logTail())")
            #expect(process.log.contains("sluice: fatal signal 11 while running agent recorder (plugin file \(host.harness.pluginsDirectory)/recorder.so, image "),
                    "stderr does not name the crashing agent and its file:\n\(process.logTail())")
            recordedAfterCrash.append(try await world.readAll(output).count)
        }
        let committedAfterCrashes = try await world.committed(group: host.group(of: "recorder"), topic: input)
        let crashPartition = try #require(try await world.readAll(input, expected: total).first { $0.value == "segv-\(crashAt)" })
        #expect((committedAfterCrashes[crashPartition.partition] ?? 0) <= crashPartition.offset,
                "nothing at or after the crashing record is committed")

        // The operator drops in the fixed release (it dead-letters the record) and starts the host again.
        try await host.harness.installRecorder(version: "1.0.1", sidecar: sidecar, defines: ["SEGV_FIXED"])
        let fixed = try SluiceProcess(configuration: configuration, logFile: log)
        // Two crashes in overlapping batches: the range goes to the new release record by record.
        try await eventually(timeout: .seconds(60), "the crash quarantine isolates the range") {
            fixed.log.contains("crash quarantine: this partition's records that crashed the plugin are isolated")
        }
        #expect(fixed.log.contains("partition=\(crashPartition.partition)") && fixed.log.contains("signal=SIGSEGV"),
                "the start logs the crash it found:\n\(fixed.logTail())")
        let reader = try await host.reader(output)
        try await eventually(timeout: .seconds(120), "every record finished by the fixed release") {
            guard fixed.isRunning else { throw HarnessError("the fixed release died:\n\(fixed.logTail())") }
            _ = await reader.count
            return RecordingLedger(reader.records).distinct == total - 1
        }
        try await eventually(timeout: .seconds(30), "committed to the end") {
            try await world.committed(group: host.group(of: "recorder"), topic: input) == ends
        }
        #expect(try await fixed.terminate() == 0)
        let ledger = RecordingLedger(reader.records)
        let letters = try await world.readAll(deadLetters, expected: 1)
        #expect(letters.map(\.value) == ["segv-\(crashAt)"])
        #expect(letters.first?.headers["sluice.error"] == "segv record refused")
        #expect(letters.first?.headers["sluice.plugin.version"] == "1.0.1")
        #expect(ledger.missing(ends: ends) == 1, "only the crashing record is not in the output (it is dead-lettered)")
        print("segfaulting plugin: \(total) records, 2 crashes injected (records in the output after each: \(recordedAfterCrash)), "
              + "lost 0, duplicates \(ledger.duplicates), the crashing record dead-lettered by the fixed release")
    }
}
