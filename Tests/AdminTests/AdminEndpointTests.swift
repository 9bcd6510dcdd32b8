import Foundation
import SluiceAdmin
import SluiceHost
import Testing
import TestSupport

/// Every endpoint over real HTTP against a runtime on memory:// in this process.
@Suite("Admin API endpoints")
struct AdminEndpointTests {
    @Test("/healthz answers ok; /readyz is 200 with every agent running, 503 with reasons when one is paused")
    func healthAndReadiness() async throws {
        try await AdminTestHost().run { host in
            let health = try await HTTPExchange.get(host.baseURL, "/healthz")
            #expect(health.status == 200)
            #expect(health.text == "ok\n")

            let ready = try await HTTPExchange.get(host.baseURL, "/readyz")
            #expect(ready.status == 200, "\(ready.text)")
            #expect(try ready.json()["ready"] as? Bool == true)

            let paused = try await HTTPExchange.post(host.baseURL, "/agents/recorder/pause")
            #expect(paused.status == 200, "\(paused.text)")
            let notReady = try await HTTPExchange.get(host.baseURL, "/readyz")
            #expect(notReady.status == 503)
            let reasons = try #require(try notReady.json()["reasons"] as? [String])
            #expect(reasons.contains { $0.contains("recorder") && $0.contains("paused") }, "\(reasons)")
        }
    }

    @Test("POST /topics/input/messages: one JSON record, then NDJSON; the recorder's output shows them all")
    func produceThroughTheAPI() async throws {
        try await AdminTestHost().run { host in
            let single = try await HTTPExchange.post(host.baseURL, "/topics/input/messages",
                                                     #"{"key": "k0", "value": "hello", "headers": {"trace": "t1"}}"#)
            #expect(single.status == 200, "\(single.text)")
            #expect(try single.json()["produced"] as? Int == 1)
            #expect(try single.json()["topic"] as? String == "input")

            let lines = (1...99).map { #"{"key": "k\#($0)", "value": {"n": \#($0)}}"# }.joined(separator: "\n") + "\n"
            let many = try await HTTPExchange.post(host.baseURL, "/topics/input/messages", lines,
                                                   contentType: "application/x-ndjson")
            #expect(many.status == 200, "\(many.text)")
            #expect(try many.json()["produced"] as? Int == 99)

            try await eventually(timeout: .seconds(30), "100 records recorded") { host.harness.count("recorder.out") == 100 }
            let input = host.harness.records("input").map(\.record)
            let first = try #require(input.first { $0.keyText == "k0" })
            #expect(first.valueText == "hello")
            #expect(first.header("trace") == "t1")
            #expect(input.first { $0.keyText == "k7" }?.valueText == #"{"n":7}"#)
            let recorded = Set(host.harness.records("recorder.out").compactMap { RecordedLine($0.record)?.value })
            #expect(recorded.contains("hello"))
            #expect(recorded.contains(#"{"n":42}"#))
        }
    }

    @Test("GET /agents and /agents/{name} match the runtime: state, partitions, processed, file hash")
    func agentsMatchReality() async throws {
        try await AdminTestHost(agents: ["alpha", "beta"]).run { host in
            host.harness.produce("input", count: 200)
            try await eventually("both agents processed 200") {
                host.runtime.agents.allSatisfy { $0.processed == 200 }
            }
            let answer = try await HTTPExchange.get(host.baseURL, "/agents")
            #expect(answer.status == 200)
            #expect(answer.headers["content-type"]?.hasPrefix("application/json") == true)
            let report = try JSONDecoder().decode(AgentsReport.self, from: answer.body)
            let expected = host.runtime.agents.map { AgentReport($0) }
            #expect(report.agents.map(\.name) == ["alpha", "beta"])
            for (shown, actual) in zip(report.agents, expected) {
                #expect(shown.version == actual.version)
                #expect(shown.sha256 == actual.sha256 && shown.sha256.count == 64)
                #expect(shown.state == "running")
                // The expected reports know no lag: compare which partitions, and the lag apart.
                #expect(shown.partitions.map { "\($0.topic)/\($0.partition)" }
                        == actual.partitions.map { "\($0.topic)/\($0.partition)" })
                #expect(shown.partitions.allSatisfy { $0.lag != nil })
                #expect(shown.partitions.count == 4)
                #expect(shown.processed == 200)
                #expect(shown.deadLettered == 0)
            }
            #expect(report.refused.isEmpty)
            // Everything consumed is committed (or about to be): the lag is known and small.
            #expect(report.agents.allSatisfy { $0.lag != nil }, "\(report.agents.map(\.lag))")
            let hostPart = try #require(report.host)
            #expect(hostPart.transport == "memory://")
            #expect(hostPart.startedAt != nil && (hostPart.uptimeSeconds ?? -1) >= 0, "\(hostPart)")

            let one = try await HTTPExchange.get(host.baseURL, "/agents/beta")
            #expect(one.status == 200)
            let json = try one.json()
            #expect(json["name"] as? String == "beta")
            #expect(json["processed"] as? Int == 200)
            // Every documented key is present, null or not.
            for key in ["version", "sha256", "state", "state_reason", "partitions", "in_flight", "dead_lettered",
                        "retried", "last_error", "lag", "last_reload"] {
                #expect(json.keys.contains(key), "missing \(key)")
            }
        }
    }

    @Test("pause, resume and reload an agent; an unknown agent is a 404 naming it")
    func controlAgents() async throws {
        try await AdminTestHost().run { host in
            let paused = try await HTTPExchange.post(host.baseURL, "/agents/recorder/pause")
            #expect(paused.status == 200)
            #expect(try paused.json()["state"] as? String == "paused")
            #expect(host.runtime.agents.first?.state != .running)

            let resumed = try await HTTPExchange.post(host.baseURL, "/agents/recorder/resume")
            #expect(resumed.status == 200)
            #expect(try resumed.json()["state"] as? String == "running")
            host.harness.produce("input", count: 10)
            try await eventually("records flow again after resume") { host.harness.count("recorder.out") == 10 }

            let reloaded = try await HTTPExchange.post(host.baseURL, "/agents/recorder/reload")
            #expect(reloaded.status == 200, "\(reloaded.text)")
            let reload = try #require(try reloaded.json()["reload"] as? [String: Any])
            #expect(reload["agent"] as? String == "recorder")
            #expect(["upgraded", "unchanged"].contains(reload["outcome"] as? String ?? ""), "\(reload)")

            for path in ["/agents/nobody/pause", "/agents/nobody/resume", "/agents/nobody/reload"] {
                let missing = try await HTTPExchange.post(host.baseURL, path)
                #expect(missing.status == 404, "\(path)")
                #expect(missing.errorMessage?.contains("nobody") == true, "\(missing.text)")
            }
            let missing = try await HTTPExchange.get(host.baseURL, "/agents/nobody")
            #expect(missing.status == 404)
            #expect(missing.errorMessage == "no agent named \"nobody\"")
        }
    }

    @Test("unknown endpoints are a JSON 404")
    func unknownEndpoint() async throws {
        try await AdminTestHost().run { host in
            let answer = try await HTTPExchange.get(host.baseURL, "/nope")
            #expect(answer.status == 404)
            #expect(answer.errorMessage?.contains("/nope") == true, "\(answer.text)")
        }
    }
}
