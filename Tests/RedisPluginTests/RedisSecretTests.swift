import Foundation
import SluiceHost
import Testing
import TestSupport

/// The redis plugin never repeats a password: not in a refusal (what
/// `/agents` shows), not in a log line; and a `password_env` naming an unset
/// variable refuses the agent, naming the key and the variable.
@Suite("redis plugin: secrets")
struct RedisSecretTests {
    /// Starts a host with the plugin configured by `config` (lines under
    /// `config:`), and returns its refusals' texts and every log line.
    private func refusalsAndLog(config: String, allowing environment: [String] = []) async throws
        -> (refusals: [String], log: [String], running: Bool) {
        var harness = try HostHarness(partitions: 1)
        harness.configuration.pluginEnvironment = environment
        defer { harness.remove() }
        try harness.installBuiltPlugin(product: "SluiceRedis", as: "redis", sidecar: "config:\n" + config)
        let log = LogRecorder()
        let runtime = try SluiceRuntime(configuration: harness.configuration, transport: MemoryTransport(broker: harness.broker),
                                        logger: log.logger(label: "sluice.test"))
        return try await withRuntime(runtime) { runtime in
            (runtime.refusals.map(\.description), log.all, !runtime.agents.isEmpty)
        }
    }

    @Test("a password written where the port goes (no '@') is not echoed by the port check", arguments: [
        "redis://default:Sup3r-SECRET-pw",
        "redis://default:Sup3r-SECRET/pw",
        "redis://127.0.0.1:Sup3r-SECRET-pw/0",
    ])
    func misplacedPassword(url: String) async throws {
        let outcome = try await refusalsAndLog(config: "  url: \"\(url)\"\n")
        #expect(!outcome.running)
        let refusal = try #require(outcome.refusals.first)
        #expect(refusal.contains("'url'"), "\(refusal)")
        #expect(!refusal.contains("SECRET"), "\(refusal)")
        #expect(!outcome.log.contains { $0.contains("SECRET") }, "\(outcome.log)")
    }

    @Test("an out-of-range port is still shown: digits are never a secret here")
    func numericPortShown() async throws {
        let outcome = try await refusalsAndLog(config: "  url: redis://127.0.0.1:70000\n")
        let refusal = try #require(outcome.refusals.first)
        #expect(refusal.contains("the port must be 1-65535, found '70000'"), "\(refusal)")
    }

    @Test("password_env naming an unset variable refuses the agent, naming the key and the variable")
    func unsetPasswordEnvironment() async throws {
        let variable = "SLUICE_TEST_REDIS_UNSET_\(UUID().uuidString.prefix(8))"
        let outcome = try await refusalsAndLog(config: "  url: redis://127.0.0.1:1/0\n  password_env: \(variable)\n",
                                           allowing: [variable])
        #expect(!outcome.running)
        let refusal = try #require(outcome.refusals.first)
        #expect(refusal.contains("'password_env'") && refusal.contains(variable), "\(refusal)")
    }
}
