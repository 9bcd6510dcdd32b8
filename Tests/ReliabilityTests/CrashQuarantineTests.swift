import Foundation
import SluiceHost
import Testing
import TestSupport

/// Reliability: crash quarantine for in-process plugins (docs/isolation.md).
/// A plugin that segfaults or aborts on particular records takes the host
/// down; a supervisor restarts it (here: the test, whenever `sluice run`
/// dies). The crash journal tells each start which records were in flight on
/// the crashing thread, so a poison record is isolated (record by record)
/// and then dead-lettered instead of crashing the host forever.
@Suite("Crash quarantine on kafka://", .serialized, .timeLimit(.minutes(12)))
struct CrashQuarantineTests {
    /// Host crashes one poison record can cause at most (docs/isolation.md, "The bound").
    static let crashesPerPoisonRecord = 3

    @Test("2,000 records with 3 that segfault and 3 that abort the plugin, the host restarted whenever it dies: every other record handled, the 6 dead-lettered with their signal, at most 3 crashes each, committed to the end")
    func poisonRecordsAreDeadLettered() async throws {
        var host = try KafkaHost()
        // The restarted host takes its partitions back at once instead of waiting for the dead member's session.
        host.harness.configuration.kafka["sluice.static.membership"] = "true"
        let world = host.world
        defer { host.remove() }
        let input = world.name("orders"), output = world.name("handled"), deadLetters = world.name("crasher-dlq")
        try await CPluginCompiler.compile(sources: [RepositoryPaths.path("Tests/Fixtures/crasher.c")],
                                          output: host.harness.pluginsDirectory + "/crasher.so")
        try host.harness.writeSidecar("crasher", """
            topics: [\(input)]
            batch_size: 50
            dead_letter_topic: \(deadLetters)
            config:
              output: \(output)

            """)
        let seeding = try await world.seedingTransport(creating: input, output, deadLetters)
        let total = 2000
        let poison: [Int: String] = [137: "boom", 402: "abort", 777: "boom", 1111: "abort", 1500: "boom", 1888: "abort"]
        try await world.produce(input, count: total, through: seeding) { poison[$0] ?? "v\($0)" }
        let inputRecords = try await world.readAll(input, expected: total)
        let ends = try await world.endOffsets(input, expected: total)
        // Where each poison record landed, and the reason its dead letter must carry.
        var expectedLetters: [String: String] = [:]
        for (index, value) in poison {
            let record = try #require(inputRecords.first { $0.key == "k\(index)" })
            expectedLetters["\(record.partition):\(record.offset)"] = "plugin crashed (\(value == "boom" ? "SIGSEGV" : "SIGABRT"))"
        }

        let configuration = host.harness.directory.file("sluice.yaml")
        try host.configurationFile(pluginsDirectory: host.harness.pluginsDirectory, dataDirectory: host.harness.directory.file("data"))
            .write(toFile: configuration, atomically: true, encoding: .utf8)
        let log = host.harness.directory.file("sluice.log")
        // No Swift backtrace on each crash: the supervisor's restart is what is measured.
        let environment = ["SWIFT_BACKTRACE": "enable=no"]
        var process = try SluiceProcess(configuration: configuration, logFile: log, environment: environment)
        defer { process.signal(SIGKILL) }
        var signals: [String] = []
        let bound = Self.crashesPerPoisonRecord * poison.count
        let reader = try await host.reader(output)
        try await eventually(timeout: .seconds(600), "every record handled or dead-lettered and committed to the end") {
            if !process.isRunning {
                // The supervisor: note how it died, start it again.
                let died = process.log
                guard let line = died.split(separator: "\n").first(where: { $0.hasPrefix("sluice: fatal signal ") }) else {
                    throw HarnessError("sluice died without a fatal signal of its plugin:\n\(process.logTail())")
                }
                signals.append(String(line.dropFirst("sluice: fatal signal ".count).prefix { $0 != " " }))
                guard signals.count <= bound else {
                    throw HarnessError("\(signals.count) crashes, beyond the bound \(bound) (signals \(signals)):\n\(process.logTail())")
                }
                process = try SluiceProcess(configuration: configuration, logFile: log, environment: environment)
                return false
            }
            try await Task.sleep(for: .milliseconds(200))
            _ = await reader.count
            guard RecordingLedger(reader.records).distinct == total - poison.count else { return false }
            return try await world.committed(group: host.group(of: "crasher"), topic: input) == ends
        }
        let port = try await process.adminPort()
        let crashesInStatus = try await process.agentCounter("plugin_crashes", agent: "crasher", adminPort: port)
        let metrics = try await process.adminGet("/metrics", adminPort: port).body
        #expect(try await process.terminate() == 0)

        let ledger = RecordingLedger(reader.records)
        let letters = try await world.readAll(deadLetters)
        var reasons: [String: Set<String>] = [:]
        for letter in letters {
            let source = "\(letter.headers["sluice.source.partition"] ?? "?"):\(letter.headers["sluice.source.offset"] ?? "?")"
            reasons[source, default: []].insert(letter.headers["sluice.error"] ?? "no sluice.error header")
        }
        print("""
            crash quarantine: \(total) records, \(poison.count) poison (3 SIGSEGV, 3 SIGABRT); \(signals.count) crashes \
            (signals \(signals.joined(separator: ","))), bound \(bound); \(letters.count) dead letters; \
            lost 0 expected, missing \(ledger.missing(ends: ends)) (the poison records), duplicates \(ledger.duplicates)
            """)
        #expect(reasons == expectedLetters.mapValues { [$0] }, "each poison record dead-lettered with its signal, nothing else")
        #expect(ledger.missing(ends: ends) == poison.count, "every other record was handled")
        #expect(ledger.misplaced == 0)
        #expect(signals.count >= poison.count && signals.count <= bound, "\(signals.count) crashes for \(poison.count) poison records")
        #expect(Set(signals) == ["11", "6"], "SIGSEGV and SIGABRT")
        #expect(try await world.committed(group: host.group(of: "crasher"), topic: input) == ends)
        #expect(crashesInStatus >= 1, "the last start found a crash and keeps it in the history")
        #expect(metrics.split(separator: "\n").contains { $0.hasPrefix("sluice_plugin_crashes_total{") && $0.contains("agent=\"crasher\"") && $0.hasSuffix(" 1") },
                "the last start counted the one crash that preceded it")
        let hostLog = try String(contentsOfFile: log, encoding: .utf8)
        #expect(hostLog.contains("the previous host process died of a fatal signal in this plugin call"))
        #expect(hostLog.contains("crash quarantine: this partition's records that crashed the plugin are isolated"))
    }
}
