import Foundation
import SluiceHost
import TestSupport

/// An admin test host running the stateful counter (Tests/Fixtures/stateful_counter.c,
/// table "counts", keys "K@<window start>") on `input`, beside a stateless recorder.
enum StatefulAdminHost {
    /// The counter's agent name.
    static let agent = "stateful-counter"

    /// Starts the host; windows close after ten minutes, so the counter also
    /// keeps its index entries ("\u{1}<window start>/K", empty values) while a test runs.
    static func start(partitions: Int = 4) async throws -> AdminTestHost {
        try await AdminTestHost(agents: ["recorder"], partitions: partitions) { harness in
            _ = try await CPluginCompiler.compile(sources: [RepositoryPaths.path("Tests/Fixtures/stateful_counter.c")],
                                              output: harness.pluginsDirectory + "/\(agent).so")
            try harness.writeSidecar(agent, "topics: [input]\nbatch_size: 50\nconfig:\n  close_after_ms: 600000\n")
        }
    }

    /// Produces `count` records keyed `k0`…`k4` and waits until the counter has processed them.
    static func produce(_ count: Int, to host: AdminTestHost) async throws {
        for index in 0..<count {
            host.harness.broker.append(OutgoingRecord(topic: "input", key: Array("k\(index % 5)".utf8), value: Array("v\(index)".utf8)))
        }
        try await eventually("every record counted") {
            (host.runtime.agents.first { $0.name == agent }?.processed ?? 0) >= count
        }
    }

    /// The exact count per table key ("K@<window start>") of the records on `input`.
    static func expectedCounts(_ host: AdminTestHost) -> [String: Int] {
        var counts: [String: Int] = [:]
        for (_, record) in host.harness.records("input") {
            let start = record.timestampMilliseconds - record.timestampMilliseconds % 60_000
            let key = record.key.map { String(decoding: $0, as: UTF8.self) } ?? "-"
            counts[key + "@" + String(format: "%016lld", start), default: 0] += 1
        }
        return counts
    }
}
