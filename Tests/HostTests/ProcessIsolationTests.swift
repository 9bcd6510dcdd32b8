import Foundation
import SluiceHost
import Testing
import TestSupport

/// `isolation: process`: the agent's plugin runs in a `sluice-plugin-runner`
/// of its own, so a record that crashes it costs a runner, never the host.
@Suite("Process isolation")
struct ProcessIsolationTests {
    /// Where the poison records sit among the 10,000: three of each kind.
    static let poison: [Int: String] = [
        517: "boom", 4_203: "boom", 9_871: "boom",
        1_311: "abort", 5_555: "abort", 8_002: "abort",
        2_718: "leak", 6_180: "leak", 7_777: "leak",
    ]

    @Test("crashes, aborts and a leak past memory_limit: 9,991 handled, 9 dead-lettered with the reason, the host and its other agent unharmed")
    func poisonRecords() async throws {
        let harness = try await crasherHarness(partitions: 4, batchSize: 100, sidecar: "memory_limit: 64MiB\n")
        defer { harness.remove() }
        try await harness.installRecorder(sidecar: "topics: [other]\nconfig:\n  output: recorded\n")
        harness.produce("input", count: 10_000) { Self.poison[$0] ?? "v\($0)" }
        harness.produce("other", count: 10_000)
        try await harness.withRuntime { runtime in
            try await eventually(timeout: .seconds(240), "9 dead letters") { harness.count("crasher.dlq") >= 9 }
            try await eventually("9,991 records handled") { Set(handledOffsets(harness)).count >= 9_991 }
            try await eventually("the other agent's 10,000 records recorded") { harness.count("recorded") >= 10_000 }
            try await eventually("the offsets committed to the end") {
                let committed = harness.broker.committed(group: "sluice.crasher")
                return (0..<Int32(4)).allSatisfy {
                    let partition = TopicPartition("input", $0)
                    return committed[partition] == harness.broker.endOffset(partition)
                }
            }
            let status = try #require(runtime.agents.first { $0.name == "crasher" })
            #expect(status.pluginCrashes >= 9, "each poison record crashed at least one runner")
        }
        let handled = handledOffsets(harness)
        #expect(Set(handled).count == 9_991, "every other record handled")
        let letters = harness.records("crasher.dlq").map(\.record)
        var reasons: [String: String] = [:]
        for letter in letters {
            let value = String(decoding: letter.value ?? [], as: UTF8.self)
            let reason = letter.headers.first { $0.name == "sluice.error" }.map { String(decoding: $0.value, as: UTF8.self) } ?? "none"
            reasons[value] = reasons[value].map { $0 == reason ? $0 : $0 + " | " + reason } ?? reason
        }
        #expect(letters.count == 9, "one dead letter per poison record: \(letters.count)")
        #expect(reasons["boom"]?.contains("plugin crashed (SIGSEGV)") == true, "\(reasons)")
        #expect(reasons["abort"]?.contains("plugin crashed (SIGABRT)") == true, "\(reasons)")
        #expect(reasons["leak"]?.contains("exceeded memory_limit") == true, "\(reasons)")
    }

    @Test("a record on which the plugin hangs: its runner is killed after batch_timeout, the record dead-lettered, the rest handled")
    func hangingRecord() async throws {
        let harness = try await crasherHarness(partitions: 2, batchSize: 50, sidecar: "batch_timeout: 500ms\n")
        defer { harness.remove() }
        harness.produce("input", count: 1_000) { $0 == 321 ? "hang" : "v\($0)" }
        try await harness.withRuntime { _ in
            try await eventually(timeout: .seconds(120), "the hanging record dead-lettered") { harness.count("crasher.dlq") >= 1 }
            try await eventually("999 records handled") { Set(handledOffsets(harness)).count >= 999 }
        }
        let letters = harness.records("crasher.dlq").map(\.record)
        #expect(letters.count == 1)
        let reason = letters.first?.headers.first { $0.name == "sluice.error" }.map { String(decoding: $0.value, as: UTF8.self) }
        #expect(reason?.contains("did not finish within batch_timeout") == true, "\(reason ?? "no reason")")
        #expect(String(decoding: letters.first?.value ?? [], as: UTF8.self) == "hang")
    }

    @Test("a stateful agent's runner killed twice mid-run: every record counted exactly once in its table")
    func statefulRunnerKilled() async throws {
        let harness = try HostHarness(partitions: 2)
        defer { harness.remove() }
        try await CPluginCompiler.compile(sources: [RepositoryPaths.path("Tests/Fixtures/stateful_counter.c")],
                                          output: harness.pluginsDirectory + "/stateful-counter.so")
        try harness.writeSidecar("counting", """
            plugin: stateful-counter
            isolation: process
            batch_size: 20
            config:
              output: counted
              window_ms: 1000000000000000
              buckets: 1
              delay_us: 3000
            """)
        harness.produce("input", count: 4_000)
        try await harness.withRuntime { runtime in
            for kill in 1...2 {
                try await eventually("\(kill * 1_000) records counted") { harness.count("counted") >= kill * 1_000 }
                #expect(harness.count("counted") < 4_000, "the kill comes mid-run")
                let runners = RunnerProcesses.of(agent: "counting")
                #expect(runners.count == 1)
                if let runner = runners.first {
                    Glibc.kill(runner.pid, SIGKILL)
                    // Under load the count may pass the next mark from records already
                    // produced: wait for the new runner, or the next kill finds none.
                    try await eventually("a new runner after kill \(kill)") {
                        RunnerProcesses.of(agent: "counting").contains { $0.pid != runner.pid }
                    }
                }
            }
            try await eventually("the offsets committed to the end") {
                let committed = harness.broker.committed(group: "sluice.counting")
                return (0..<Int32(2)).allSatisfy {
                    let partition = TopicPartition("input", $0)
                    return committed[partition] == harness.broker.endOffset(partition)
                }
            }
            let entries = try #require(try runtime.agent("counting")?.entries(table: "counts", prefix: [], limit: 100))
            let total = entries.compactMap { Int(String(decoding: $0.value, as: UTF8.self)) }.reduce(0, +)
            #expect(total == 4_000, "each record's write applied once: \(entries.map { String(decoding: $0.value, as: UTF8.self) })")
            #expect((runtime.agents.first { $0.name == "counting" }?.pluginCrashes ?? 0) >= 2)
        }
    }

    @Test("PENDING batches completed from the plugin's own threads, early and late, retries and dead letters: each record once, committed to the end",
          arguments: ["later", "early"])
    func pendingFromPluginThreads(complete: String) async throws {
        var harness = try HostHarness(partitions: 4)
        defer { harness.remove() }
        harness.configuration.agentDefaults.batchSize = 100
        harness.configuration.agentDefaults.retry.initialBackoff = .milliseconds(1)
        try await harness.installRecorder(sidecar: """
            isolation: process
            config:
              output: recorded
              mode: pending
              complete: \(complete)
            """)
        harness.produce("input", count: 5_000) { index in
            index % 1_000 == 7 ? "dlq\(index)" : index % 1_000 == 9 ? "retry:2-\(index)" : "v\(index)"
        }
        try await harness.withRuntime { _ in
            try await eventually("4,995 records recorded, 5 dead-lettered") {
                harness.count("recorded") >= 4_995 && harness.count("recorder.dlq") >= 5
            }
            try await eventually("the offsets committed to the end") {
                let committed = harness.broker.committed(group: "sluice.recorder")
                return (0..<Int32(4)).allSatisfy {
                    let partition = TopicPartition("input", $0)
                    return committed[partition] == harness.broker.endOffset(partition)
                }
            }
        }
        let lines = harness.records("recorded").compactMap { RecordedLine($0.record) }
        #expect(lines.count == 4_995, "each record once")
        #expect(Set(lines).count == 4_995)
        #expect(harness.count("recorder.dlq") == 5)
    }

    @Test("an isolated agent maps no plugin image in the host, runs one runner at its niceness, a reload replaces the runner, records are handled in order per partition, and no runner outlives the host")
    func noImageInTheHost() async throws {
        let harness = try HostHarness(partitions: 2)
        defer { harness.remove() }
        try await harness.installRecorder()
        // An agent name of this test's own: other tests of this process run isolated recorders too.
        let sidecar = "plugin: recorder\nisolation: process\nnice: 5\nconfig:\n  output: recorded\n"
        try harness.writeSidecar("reloaded", sidecar)
        harness.produce("input", count: 1_000)
        try await harness.withRuntime { runtime in
            try await eventually("1,000 recorded") { harness.count("recorded") >= 1_000 }
            #expect(runtime.loader.loadedImageCount == 0, "the host mapped no plugin")
            let first = RunnerProcesses.of(agent: "reloaded")
            #expect(first.count == 1, "one runner: \(first)")
            #expect(first.first?.nice == 5, "at the sidecar's niceness")
            try await harness.installRecorder(version: "2.0.0")
            try await eventually("version 2.0.0 runs") {
                runtime.agents.first { $0.name == "reloaded" }?.version == "2.0.0"
            }
            harness.produce("input", count: 1_000)
            try await eventually("2,000 recorded") { harness.count("recorded") >= 2_000 }
            #expect(runtime.loader.loadedImageCount == 0, "still none after the reload")
            try await eventually("the old runner exited; one new one runs") {
                let now = RunnerProcesses.of(agent: "reloaded")
                return now.count == 1 && now.first?.pid != first.first?.pid
            }
        }
        try await eventually("no runner after the host stopped") { RunnerProcesses.of(agent: "reloaded").isEmpty }
        let lines = harness.records("recorded").compactMap { RecordedLine($0.record) }
        for partition in 0..<Int32(2) {
            let offsets = lines.filter { $0.partition == partition }.map(\.offset)
            #expect(offsets == Array(0..<Int64(offsets.count)), "each offset once, in order, on partition \(partition)")
        }
    }
}

/// The `sluice-plugin-runner` children of this process, read from `/proc`.
enum RunnerProcesses {
    /// Runners of agent `agent` whose parent is this process: pid and niceness.
    static func of(agent: String) -> [(pid: Int32, nice: Int)] {
        let me = getpid()
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry -> (pid: Int32, nice: Int)? in
            guard let pid = Int32(entry),
                  let command = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"),
                  let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return nil }
            let arguments = command.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            guard arguments.first?.hasSuffix("sluice-plugin-runner") == true,
                  let flag = arguments.firstIndex(of: "--agent"), flag + 1 < arguments.count, arguments[flag + 1] == agent
            else { return nil }
            // After the command name in parentheses: state, ppid, … nice is field 19.
            let fields = stat[stat.index(after: stat.lastIndex(of: ")")!)...].split(separator: " ")
            guard fields.count > 16, Int32(fields[1]) == me, let nice = Int(fields[16]) else { return nil }
            return (pid, nice)
        }
    }
}

/// A host harness with the crasher test plugin isolated (`sidecar` adds
/// lines), writing what it handles to `crashed-output`.
private func crasherHarness(partitions: Int, batchSize: Int, sidecar: String) async throws -> HostHarness {
    var harness = try HostHarness(partitions: partitions)
    harness.configuration.agentDefaults.batchSize = batchSize
    try await CPluginCompiler.compile(sources: [RepositoryPaths.path("Tests/Fixtures/crasher.c")],
                                      output: harness.pluginsDirectory + "/crasher.so")
    try harness.writeSidecar("crasher", "isolation: process\n" + sidecar + "config:\n  output: crashed-output\n")
    return harness
}

/// The input offsets the crasher handled, from its `partition:offset:value` lines.
private func handledOffsets(_ harness: HostHarness) -> [String] {
    harness.records("crashed-output").map { entry in
        String(decoding: entry.record.value ?? [], as: UTF8.self).split(separator: ":").prefix(2).joined(separator: ":")
    }
}
