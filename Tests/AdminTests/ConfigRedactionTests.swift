import Foundation
import Logging
import SluiceAdmin
import SluiceHost
import Testing
import TestSupport

/// A key the plugin's `config_schema` marks secret (`"writeOnly": true`) is
/// redacted wherever the host shows an agent's configuration: `GET /agents`,
/// `GET /agents/{name}`, `sluice agents --json`, and the log line of a started agent.
@Suite("secret config keys redacted on every surface")
struct ConfigRedactionTests {
    /// A value no surface may show: under `api_token`, which the fixture's schema marks
    /// secret, and under `label`, which only a schema could mark (the name looks harmless).
    static let secret = "tok-SECRET-9f2c"

    /// The loader fixture as agent `feed-cache`, with a schema (ttl_seconds, api_token secret, …).
    private static func installFeedCache(_ harness: HostHarness) async throws {
        try await CPluginCompiler.compile(
            sources: [RepositoryPaths.path("Tests/LoaderTests/Fixtures/fixture_plugin.c")],
            output: harness.pluginsDirectory + "/feed-cache.so",
            flags: ["-DNAME=\"feed-cache\"", "-DSCHEMA_FEED_CACHE"])
        try harness.writeSidecar("feed-cache", """
            config:
              ttl_seconds: 60
              api_token: \(secret)
              servers: [{host: "redis://:\(secret)@cache", port: 6379}]
            """)
    }

    @Test("GET /agents, GET /agents/{name} and sluice agents --json show the config with the secret redacted")
    func adminSurfaces() async throws {
        try await AdminTestHost(agents: [], configure: { try await Self.installFeedCache($0) }).run { host in
            let expected: ConfigValue = [
                "ttl_seconds": 60, "api_token": "<redacted>",
                "servers": [["host": "redis://:***@cache", "port": 6379]],
            ]
            let list = try await HTTPExchange.get(host.baseURL, "/agents")
            #expect(!String(decoding: list.body, as: UTF8.self).contains(Self.secret))
            let report = try JSONDecoder().decode(AgentsReport.self, from: list.body)
            #expect(report.agents.map(\.name) == ["feed-cache"])
            #expect(report.agents.first?.config == expected)

            let one = try await HTTPExchange.get(host.baseURL, "/agents/feed-cache")
            #expect(!String(decoding: one.body, as: UTF8.self).contains(Self.secret))
            #expect(try JSONDecoder().decode(AgentReport.self, from: one.body).config == expected)

            try SluiceBinary.require()
            let json = try await ProcessRunner.run([SluiceBinary.path, "agents", "--json", "--admin", host.baseURL]).output
            #expect(!json.contains(Self.secret), "\(json)")
            #expect(try JSONDecoder().decode(AgentsReport.self, from: Data(json.utf8)).agents.first?.config == expected)
        }
    }

    @Test("the agent-started log line shows the settings with the secret redacted")
    func logLine() async throws {
        let harness = try HostHarness(partitions: 1)
        defer { harness.remove() }
        try await Self.installFeedCache(harness)
        let logs = LogRecorder()
        let runtime = try SluiceRuntime(configuration: harness.configuration, transport: MemoryTransport(broker: harness.broker),
                                        logger: logs.logger(label: "sluice.test"))
        try await withRuntime(runtime) { runtime in
            #expect(runtime.agents.map(\.name) == ["feed-cache"])
        }
        let started = try #require(logs.all.first { $0.contains("agent started") })
        #expect(started.contains("api_token") && started.contains("<redacted>"), "\(started)")
        #expect(!logs.all.contains { $0.contains(Self.secret) })
    }
}
