import Foundation
import SluiceAdmin
import SluiceHost
import Testing
import TestSupport

/// One list of refused plugin files, at start and while the host runs alike:
/// `GET /agents` (`refused`, and an agent's `refusal`), the 404 of
/// `GET /agents/NAME`, `sluice_plugins_refused` and `sluice agents` show it,
/// and a file leaves it when removed or accepted.
@Suite("Refused plugin files in the admin API")
struct AdminRefusedFilesTests {
    private func agents(_ host: AdminTestHost) async throws -> AgentsReport {
        try JSONDecoder().decode(AgentsReport.self, from: try await HTTPExchange.get(host.baseURL, "/agents").body)
    }

    private func refusedGauge(_ host: AdminTestHost) async throws -> Double? {
        try PrometheusText(try await HTTPExchange.get(host.baseURL, "/metrics").text).value("sluice_plugins_refused")
    }

    /// Writes the first third of the recorder as `name.so`, the drop-in way: a truncated file.
    private func dropTruncated(_ name: String, _ host: AdminTestHost) throws {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: host.harness.pluginsDirectory + "/recorder.so"))
        let staging = host.harness.pluginsDirectory + "/.\(name).so.tmp"
        try bytes.prefix(bytes.count / 3).write(to: URL(fileURLWithPath: staging))
        guard rename(staging, host.harness.pluginsDirectory + "/\(name).so") == 0 else {
            throw HarnessError("renaming \(staging) into place failed: errno \(errno)")
        }
    }

    @Test("a file refused on drop-in is listed by /agents, /agents/NAME's 404, the gauge and sluice agents, until it is removed")
    func refusedOnDropIn() async throws {
        try SluiceBinary.require()
        try await AdminTestHost().run { host in
            #expect(try await refusedGauge(host) == 0)
            try dropTruncated("broken", host)
            try await eventually("broken.so is refused") { try await agents(host).refused.count == 1 }
            let refusal = try #require(try await agents(host).refused.first)
            #expect(refusal.file.hasSuffix("/broken.so"))
            #expect(refusal.reason == "truncated")
            #expect(refusal.at.hasPrefix("20"), "\(refusal.at)")
            #expect(try await refusedGauge(host) == 1)

            let missing = try await HTTPExchange.get(host.baseURL, "/agents/broken")
            #expect(missing.status == 404)
            #expect(missing.errorMessage?.contains("broken.so refused") == true, "\(missing.text)")

            let table = try await ProcessRunner.run([SluiceBinary.path, "agents", "--admin", host.baseURL]).output
            #expect(table.contains("refused at \(refusal.at): \(refusal.file): "), "\(table)")

            try FileManager.default.removeItem(atPath: host.harness.pluginsDirectory + "/broken.so")
            try await eventually("the refusal is cleared") { try await agents(host).refused.isEmpty }
            #expect(try await refusedGauge(host) == 0)
        }
    }

    @Test("a refused new version of a running agent shows as its refusal until a good version is accepted")
    func refusedUpgradeThenAccepted() async throws {
        try await AdminTestHost().run { host in
            let good = try Data(contentsOf: URL(fileURLWithPath: host.harness.pluginsDirectory + "/recorder.so"))
            try dropTruncated("recorder", host)
            try await eventually("recorder.so is refused") { try await agents(host).refused.count == 1 }
            let agent = try #require(try await agents(host).agents.first)
            #expect(agent.state == "running")
            #expect(agent.refusal?.reason == "truncated")
            let one = try JSONSerialization.jsonObject(with: try await HTTPExchange.get(host.baseURL, "/agents/recorder").body)
            let refusal = try #require((one as? [String: Any])?["refusal"] as? [String: Any], "\(one)")
            #expect((refusal["file"] as? String)?.hasSuffix("/recorder.so") == true)

            let staging = host.harness.pluginsDirectory + "/.recorder.so.tmp"
            try good.write(to: URL(fileURLWithPath: staging))
            #expect(rename(staging, host.harness.pluginsDirectory + "/recorder.so") == 0)
            try await eventually("the good file is accepted and the refusal cleared") { try await agents(host).refused.isEmpty }
            #expect(try await agents(host).agents.first?.refusal == nil)
            #expect(try await refusedGauge(host) == 0)
        }
    }

    @Test("reloading an agent whose file and settings are unchanged answers unchanged")
    func reloadUnchanged() async throws {
        try await AdminTestHost().run { host in
            let answer = try await HTTPExchange.post(host.baseURL, "/agents/recorder/reload")
            #expect(answer.status == 200, "\(answer.text)")
            let reload = try JSONDecoder().decode(ReloadResponse.self, from: answer.body)
            #expect(reload.reload.outcome == "unchanged")
            #expect(reload.agent?.version == "1.0.0")
        }
    }
}
