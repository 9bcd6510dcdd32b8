import Foundation
import SluiceAdmin
import SluiceHost
import Testing
import TestSupport

/// `sluice_consumer_lag` on `kafka://` (the local Tansu broker): what is
/// produced while the agent is paused shows as lag; resuming brings it to 0.
@Suite("Admin API metrics on Kafka", .serialized, .timeLimit(.minutes(3)))
struct AdminKafkaLagTests {
    @Test("consumer lag per partition: N records produced while paused → lag N; resumed → 0")
    func lagWhilePaused() async throws {
        let suffix = String(UUID().uuidString.prefix(8)).lowercased()
        let agent = "lagged_\(suffix)", input = "lag-input-\(suffix)"
        let host = try await AdminTestHost(agents: [agent]) { harness in
            try harness.useKafka(group: "sluice-\(suffix)")
            try harness.writeSidecar(agent, "topics: [\(input)]\nconfig:\n  output: \(agent).out\n")
        }
        try await host.run { host in
            try await eventually(timeout: .seconds(60), "the agent is assigned the 4 partitions") {
                host.runtime.agents.first?.partitions.count == 4
            }
            // Something handled and committed first, so every partition has been fetched from.
            try await send(40, to: input, through: host, tag: "before")
            try await eventually(timeout: .seconds(60), "the first records handled") { host.runtime.agents.first?.processed == 40 }
            try await waitForLag(host, agent: agent, "lag 0 on all 4 partitions") { lag in lag.count == 4 && lag.values.allSatisfy { $0 == 0 } }

            let paused = try await HTTPExchange.post(host.baseURL, "/agents/\(agent)/pause")
            #expect(paused.status == 200, "\(paused.text)")
            let produced = 200
            try await send(produced, to: input, through: host, tag: "paused")
            let lag = try await waitForLag(host, agent: agent, "lag \(produced) while paused") { lag in
                lag.values.reduce(0, +) == Double(produced)
            }
            print("consumer lag while paused: \(lag.sorted { $0.key < $1.key }.map { "\($0.key)=\(Int($0.value))" })")
            #expect(lag.count == 4)
            #expect(host.runtime.agents.first?.processed == 40, "nothing handled while paused")
            // GET /agents sums the same lag for the agent (what `sluice top` shows).
            let agents = try JSONDecoder().decode(AgentsReport.self, from: try await HTTPExchange.get(host.baseURL, "/agents").body)
            #expect(agents.agents.first?.lag == Int64(produced))
            #expect(agents.host?.transport.hasPrefix("kafka://") == true, "\(String(describing: agents.host))")

            let resumed = try await HTTPExchange.post(host.baseURL, "/agents/\(agent)/resume")
            #expect(resumed.status == 200, "\(resumed.text)")
            try await waitForLag(host, agent: agent, "lag back to 0 after resume") { lag in
                lag.count == 4 && lag.values.allSatisfy { $0 == 0 }
            }
            #expect(host.runtime.agents.first?.processed == 40 + produced)
        }
    }

    /// Produces `count` records to `topic` through the admin API (the host's Kafka producer).
    private func send(_ count: Int, to topic: String, through host: AdminTestHost, tag: String) async throws {
        let lines = (0..<count).map { #"{"key": "\#(tag)-\#($0)", "value": "\#(tag)-\#($0)"}"# }.joined(separator: "\n")
        let answer = try await HTTPExchange.post(host.baseURL, "/topics/\(topic)/messages", lines, contentType: "application/x-ndjson")
        #expect(answer.status == 200, "\(answer.text)")
    }

    /// Scrapes `/metrics` until `agent`'s lag per partition (label value → lag) satisfies `condition`.
    @discardableResult
    private func waitForLag(_ host: AdminTestHost, agent: String, _ what: String,
                            _ condition: ([String: Double]) -> Bool) async throws -> [String: Double] {
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(60)
        var lag: [String: Double] = [:]
        repeat {
            let metrics = try PrometheusText(try await HTTPExchange.get(host.baseURL, "/metrics").text)
            lag = [:]
            for sample in metrics.samples where sample.name == "sluice_consumer_lag" && sample.labels["agent"] == agent {
                lag[sample.labels["partition"] ?? "?"] = sample.value
            }
            if condition(lag) { return lag }
            try await Task.sleep(for: .milliseconds(100))
        } while clock.now < deadline
        throw HarnessError("timed out after 60 s waiting for \(what); last lag per partition: \(lag)")
    }
}
