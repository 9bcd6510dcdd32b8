import Foundation
@testable import SluiceHost
import TestSupport

/// The stateful counter (Tests/Fixtures/stateful_counter.c) on a host
/// harness, and what its state holds according to its changelog.
struct StatefulCounterHarness {
    var harness: HostHarness
    let input: String
    let output = "recorded"
    let windowsOutput = "windows"

    init(partitions: Int = 8, input: String = "input") throws {
        harness = try HostHarness(partitions: partitions)
        self.input = input
    }

    /// The agent's consumer group.
    var group: String { harness.configuration.group + ".stateful-counter" }

    /// Compiles the counter into the plugins directory (a rename: a running host hot-reloads it).
    func install(version: String = "1.0.0", sidecar: String = "") async throws {
        let output = harness.pluginsDirectory + "/stateful-counter.so"
        let staged = harness.pluginsDirectory + "/.stateful-counter.so.tmp"
        try await CPluginCompiler.compile(sources: [RepositoryPaths.path("Tests/Fixtures/stateful_counter.c")],
                                          output: staged, flags: ["-DAGENT_VERSION=\"\(version)\""])
        guard rename(staged, output) == 0 else { throw HarnessError("renaming \(staged) failed: errno \(errno)") }
        try harness.writeSidecar("stateful-counter", "topics: [\(input)]\nbatch_size: 50\n" + sidecar)
    }

    /// Produces records keyed `key(i)` with value `value(i)`.
    func produce(_ count: Int, key: (Int) -> String = { "k\($0 % 50)" }, value: (Int) -> String = { "v\($0)" }) {
        for index in 0..<count {
            harness.broker.append(OutgoingRecord(topic: input, key: Array(key(index).utf8), value: Array(value(index).utf8)))
        }
    }

    /// The exact count per table entry ("key@window") of every input record.
    func expectedCounts() -> [String: Int] {
        var counts: [String: Int] = [:]
        for (_, record) in harness.records(input) {
            let start = record.timestampMilliseconds - record.timestampMilliseconds % 60_000
            let key = record.key.map { String(decoding: $0, as: UTF8.self) } ?? "-"
            counts[key + "@" + String(format: "%016lld", start), default: 0] += 1
        }
        return counts
    }

    /// The table as its changelog says, read with the restore rule into a fresh store.
    func changelogCounts(table: String = "counts") throws -> [String: Int] {
        try ChangelogTable.counts(transport: MemoryTransport(broker: harness.broker), group: group, topic: input,
                                  partitions: harness.broker.partitionCount(of: input) ?? 0, table: table)
    }

    /// Records the counter finished (its progress output; a record may be in it twice).
    var finished: Int { harness.count(output) }

    /// Records the running counter processed, each once.
    func processed(_ runtime: SluiceRuntime) -> Int {
        runtime.agents.first { $0.name == "stateful-counter" }?.processed ?? 0
    }
}
