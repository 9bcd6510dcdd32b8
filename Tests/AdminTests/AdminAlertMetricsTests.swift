import Foundation
import SluiceHost
import Testing
import TestSupport

/// The metrics the alert rules need beside the throughput counters: each
/// agent's state, and when it last committed. They appear and they move.
@Suite("Admin API metrics for alerts")
struct AdminAlertMetricsTests {
    private static func scrape(_ host: AdminTestHost) async throws -> PrometheusText {
        try PrometheusText(try await HTTPExchange.get(host.baseURL, "/metrics").text)
    }

    @Test("sluice_agent_state{agent,state} is 1 for the agent's state and 0 for the others, and follows a pause and a resume")
    func agentStateFollowsTheAgent() async throws {
        let agent = "stateful_\(UInt32.random(in: 0...UInt32.max))"
        try await AdminTestHost(agents: [agent]).run { host in
            func states() async throws -> [String: Double] {
                let metrics = try await Self.scrape(host)
                #expect(metrics.types["sluice_agent_state"] == "gauge")
                return Dictionary(uniqueKeysWithValues: metrics.samples
                    .filter { $0.name == "sluice_agent_state" && $0.labels["agent"] == agent }
                    .map { ($0.labels["state"] ?? "?", $0.value) })
            }
            #expect(try await states() == ["running": 1, "paused": 0, "failed": 0, "stopped": 0])
            let paused = try await HTTPExchange.post(host.baseURL, "/agents/\(agent)/pause")
            #expect(paused.status == 200, "\(paused.text)")
            try await eventually("the pause shows") { try await states()["paused"] == 1 }
            #expect(try await states() == ["running": 0, "paused": 1, "failed": 0, "stopped": 0])
            let resumed = try await HTTPExchange.post(host.baseURL, "/agents/\(agent)/resume")
            #expect(resumed.status == 200, "\(resumed.text)")
            try await eventually("the resume shows") { try await states()["running"] == 1 }
            #expect(try await states() == ["running": 1, "paused": 0, "failed": 0, "stopped": 0])
        }
    }

    @Test("sluice_last_commit_timestamp_seconds starts at the agent's start and moves to the time of a later commit")
    func lastCommitMoves() async throws {
        let agent = "committing_\(UInt32.random(in: 0...UInt32.max))"
        let beforeStart = Date().timeIntervalSince1970
        try await AdminTestHost(agents: [agent]).run { host in
            let atStart = try #require(try await Self.scrape(host).value("sluice_last_commit_timestamp_seconds", ["agent": agent]))
            #expect(try await Self.scrape(host).types["sluice_last_commit_timestamp_seconds"] == "gauge")
            #expect(atStart >= beforeStart.rounded(.down) && atStart <= Date().timeIntervalSince1970)

            let sent = Date().timeIntervalSince1970
            #expect(sent > atStart)
            let lines = (0..<50).map { #"{"key": "k\#($0)", "value": "v\#($0)"}"# }.joined(separator: "\n")
            let produced = try await HTTPExchange.post(host.baseURL, "/topics/input/messages", lines,
                                                       contentType: "application/x-ndjson")
            #expect(produced.status == 200, "\(produced.text)")
            try await eventually("everything committed") {
                let committed = host.harness.broker.committed(group: "sluice.\(agent)")
                return (0..<4).allSatisfy {
                    let partition = TopicPartition("input", Int32($0))
                    return committed[partition] == host.harness.broker.endOffset(partition)
                }
            }
            // The gauge is set just after the commit: poll until the scrape shows it.
            try await eventually("the commit's time shows") {
                (try await Self.scrape(host).value("sluice_last_commit_timestamp_seconds", ["agent": agent]) ?? 0) >= sent
            }
            let latest = try #require(try await Self.scrape(host).value("sluice_last_commit_timestamp_seconds", ["agent": agent]))
            #expect(latest <= Date().timeIntervalSince1970)
        }
    }
}
