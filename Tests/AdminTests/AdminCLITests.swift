import Foundation
import SluiceAdmin
import SluiceHost
import Testing
import TestSupport

/// The operator commands of the `sluice` binary against an admin server in this process.
@Suite("sluice agents, send, pause, resume, reload")
struct AdminCLITests {
    /// Runs the binary (ProcessRunner waits on a thread of its own, so the
    /// in-process server's handlers keep the cooperative pool to answer).
    @discardableResult
    private func sluice(_ arguments: [String], check: Bool = true,
                        environment: [String: String]? = nil) async throws -> ProcessRunner.Result {
        try SluiceBinary.require()
        return try await ProcessRunner.run([SluiceBinary.path] + arguments, environment: environment, check: check)
    }

    @Test("send, then agents as a table and as JSON; pause and resume; reload")
    func operatorCommands() async throws {
        try await AdminTestHost().run { host in
            let admin = ["--admin", host.baseURL]
            let sent = try await sluice(["send", "input", "hello", "--key", "k1", "--header", "trace=t1"] + admin)
            #expect(sent.output.contains("sent 1 record to input"), "\(sent.output)")

            let file = host.harness.directory.file("records.ndjson")
            try (1...9).map { #"{"key": "k\#($0)", "value": "v\#($0)"}"# }.joined(separator: "\n")
                .write(toFile: file, atomically: true, encoding: .utf8)
            let batch = try await sluice(["send", "input", "--file", file] + admin)
            #expect(batch.output.contains("sent 9 records to input"), "\(batch.output)")
            try await eventually("10 records recorded") { host.harness.count("recorder.out") == 10 }
            #expect(host.harness.records("input").contains { $0.record.header("trace") == "t1" })

            let table = try await sluice(["agents"] + admin).output
            #expect(table.hasPrefix("NAME      PLUGIN    VERSION"), "\(table)")
            let row = try #require(table.split(separator: "\n").first { $0.hasPrefix("recorder ") }, "\(table)")
            #expect(row.contains("running") && row.contains("input[0-3]") && row.contains(" 10 "), "\(row)")

            let json = try await sluice(["agents", "--json"] + admin).output
            let report = try JSONDecoder().decode(AgentsReport.self, from: Data(json.utf8))
            #expect(report.agents.first?.processed == 10)
            #expect(report.agents.first?.plugin == "recorder")

            let plugins = try await sluice(["plugins", "list"] + admin).output
            let pluginRow = try #require(plugins.split(separator: "\n").dropFirst().first, "\(plugins)")
            // PLUGIN, VERSION, ABI (the header the fixture is built with), SWIFT (a C plugin: -), AGENTS, FILE.
            #expect(pluginRow.contains(#/^recorder  1\.0\.0    1\.\d+  -      recorder  \S+/recorder\.so$/#), "\(plugins)")
            let pluginsJSON = try await sluice(["plugins", "list", "--json"] + admin).output
            let listed = try JSONDecoder().decode(PluginsReport.self, from: Data(pluginsJSON.utf8))
            #expect(listed.plugins.map(\.agents) == [["recorder"]])
            #expect(listed.plugins.first?.file.hasSuffix("/recorder.so") == true)

            let paused = try await sluice(["pause", "recorder"] + admin).output
            #expect(paused.contains("paused recorder: now paused"), "\(paused)")
            #expect(host.runtime.agents.first?.state != .running)
            let resumed = try await sluice(["resume", "recorder"] + admin).output
            #expect(resumed.contains("resumed recorder: now running"), "\(resumed)")
            let reload = try await sluice(["reload", "recorder"] + admin).output
            #expect(reload.hasPrefix("recorder: "), "\(reload)")

            let missing = try await sluice(["pause", "nobody"] + admin, check: false)
            #expect(missing.status == 1)
            #expect(missing.output.contains("404") && missing.output.contains("nobody"), "\(missing.output)")
        }
    }

    @Test("read prints a memory:// topic's records (GET /topics/{topic}/messages), dead-letter reasons included")
    func readTopic() async throws {
        try await AdminTestHost().run { host in
            let admin = ["--admin", host.baseURL]
            try await sluice(["send", "input", "hello", "--key", "k1"] + admin)
            try await sluice(["send", "input", "dlq-me", "--key", "k2"] + admin)
            try await eventually("both handled") { host.harness.count("recorder.out") + host.harness.count("recorder.dlq") == 2 }

            let input = try await sluice(["read", "input"] + admin).output
            let lines = input.split(separator: "\n").map(String.init)
            #expect(lines.count == 2, "\(input)")
            #expect(lines.contains { $0.hasSuffix(" k1 → hello") && $0.contains("/0 ") }, "\(input)")

            let dead = try await sluice(["read", "recorder.dlq"] + admin).output
            #expect(dead.contains("k2 → dlq-me   [reason: dlq requested by the record]"), "\(dead)")

            let json = try await sluice(["read", "input", "--json"] + admin).output
            let report = try JSONDecoder().decode(TopicRecordsReport.self, from: Data(json.utf8))
            #expect(report.topic == "input")
            #expect(Set(report.records.compactMap(\.value)) == ["hello", "dlq-me"])

            let none = try await sluice(["read", "no-such-topic", "--json"] + admin).output
            #expect(try JSONDecoder().decode(TopicRecordsReport.self, from: Data(none.utf8)).records.isEmpty)
        }
    }

    @Test("the token comes from --token or SLUICE_ADMIN_TOKEN; without it the command says 401")
    func token() async throws {
        try await AdminTestHost(admin: AdminTestHost.loopback(token: "t0ken")).run { host in
            let denied = try await sluice(["agents", "--admin", host.baseURL], check: false,
                                    environment: ["SLUICE_ADMIN_TOKEN": ""])
            #expect(denied.status == 1)
            #expect(denied.output.contains("401"), "\(denied.output)")
            let flag = try await sluice(["agents", "--admin", host.baseURL, "--token", "t0ken"])
            #expect(flag.status == 0)
            let environment = try await sluice(["agents", "--admin", host.baseURL], environment: ["SLUICE_ADMIN_TOKEN": "t0ken"])
            #expect(environment.status == 0)
        }
    }

    @Test("no host running: a clear error")
    func unreachable() async throws {
        // Port 1 on loopback: nothing listens there.
        let result = try await sluice(["agents", "--admin", "http://127.0.0.1:1"], check: false)
        #expect(result.status == 1)
        #expect(result.output.contains("cannot reach the admin API at http://127.0.0.1:1"), "\(result.output)")
        #expect(result.output.contains("is `sluice run` running?"))
    }
}
