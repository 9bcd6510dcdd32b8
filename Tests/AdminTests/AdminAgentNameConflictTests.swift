import Foundation
import SluiceAdmin
import SluiceHost
import Testing
import TestSupport

/// Two files claiming one agent, as the admin API and `sluice agents` show it:
/// the conflict is reported as such (both files and the agent named), never
/// as the running agent's failed upgrade, and the rightful file keeps the
/// agent at start and while running.
@Suite("Two plugin files claiming one agent, in the admin API")
struct AdminAgentNameConflictTests {
    /// Compiles the recorder declaring agent `agent` into `<file>.so` in `directory`, the drop-in way.
    private static func installImpostor(declaring agent: String, as file: String, in directory: String) async throws {
        let staged = directory + "/.\(file).so.tmp"
        try await CPluginCompiler.compile(
            sources: [RepositoryPaths.path("Tests/Fixtures/recorder.c")], output: staged,
            flags: ["-DAGENT_NAME=\"\(agent)\"", "-DAGENT_VERSION=\"6.6.6\""])
        guard rename(staged, directory + "/\(file).so") == 0 else {
            throw HarnessError("renaming \(staged) into \(directory) failed: errno \(errno)")
        }
    }

    private func agents(_ host: AdminTestHost) async throws -> AgentsReport {
        try JSONDecoder().decode(AgentsReport.self, from: try await HTTPExchange.get(host.baseURL, "/agents").body)
    }

    @Test("at start, a file sorting first that claims recorder is refused; recorder runs from recorder.so and reloads")
    func atStart() async throws {
        try SluiceBinary.require()
        let host = try await AdminTestHost { harness in
            try await Self.installImpostor(declaring: "recorder", as: "a-impostor", in: harness.pluginsDirectory)
        }
        try await host.run { host in
            let report = try await agents(host)
            #expect(report.agents.map(\.name) == ["recorder"])
            #expect(report.agents.first?.version == "1.0.0")
            let refusal = try #require(report.refused.first)
            #expect(refusal.file.hasSuffix("/a-impostor.so"))
            #expect(refusal.reason == "duplicateName")
            #expect(refusal.detail.contains("two files claim plugin \"recorder\": this file and \(host.harness.pluginsDirectory)/recorder.so"),
                    "\(refusal.detail)")

            let reload = try await HTTPExchange.post(host.baseURL, "/agents/recorder/reload")
            #expect(reload.status == 200, "\(reload.text)")
            let table = try await ProcessRunner.run([SluiceBinary.path, "agents", "--admin", host.baseURL]).output
            #expect(table.contains("a-impostor.so: two files claim plugin \"recorder\""), "\(table)")
        }
    }

    @Test("while running, a dropped-in impostor is a conflict, not recorder's failed reload; removing it clears it")
    func whileRunning() async throws {
        try await AdminTestHost().run { host in
            try await Self.installImpostor(declaring: "recorder", as: "impostor", in: host.harness.pluginsDirectory)
            try await eventually("the impostor is refused") { try await agents(host).refused.count == 1 }
            let report = try await agents(host)
            #expect(report.refused.first?.reason == "duplicateName")
            #expect(report.refused.first?.detail.contains("\"recorder\"") == true)
            let recorder = try #require(report.agents.first)
            #expect(recorder.name == "recorder" && recorder.version == "1.0.0" && recorder.state == "running")
            #expect(recorder.lastReload == nil, "the impostor's refusal reads as recorder's reload: \(String(describing: recorder.lastReload))")
            #expect(recorder.refusal == nil)
            #expect(report.reloads.last?.agent == "impostor")

            try FileManager.default.removeItem(atPath: host.harness.pluginsDirectory + "/impostor.so")
            try await eventually("the refusal is cleared") { try await agents(host).refused.isEmpty }
            let reload = try await HTTPExchange.post(host.baseURL, "/agents/recorder/reload")
            #expect(reload.status == 200, "\(reload.text)")
            #expect(try JSONDecoder().decode(ReloadResponse.self, from: reload.body).reload.outcome == "unchanged")
        }
    }
}
