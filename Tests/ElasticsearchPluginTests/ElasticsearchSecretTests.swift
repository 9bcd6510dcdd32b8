import Foundation
import SluiceHost
import Testing
import TestSupport

/// The elasticsearch plugin never repeats a password, and refuses a
/// `password_env` that names an unset variable, naming the key and the variable.
@Suite("elasticsearch plugin: secrets")
struct ElasticsearchSecretTests {
    @Test("password_env naming an unset variable refuses the agent")
    func unsetPasswordEnvironment() async throws {
        var fixture = try ElasticsearchFixture(partitions: 1)
        defer { fixture.remove() }
        let variable = "SLUICE_TEST_ES_UNSET_\(UUID().uuidString.prefix(8))"
        fixture.harness.configuration.pluginEnvironment.append(variable)
        try fixture.install(config: "index: articles\nmatch_field: title\nauth:\n  username: elastic\n  password_env: \(variable)")
        try await fixture.harness.withRuntime { runtime in
            #expect(runtime.agents.isEmpty)
            let refusal = try #require(runtime.refusals.first).description
            #expect(refusal.contains("password_env") && refusal.contains(variable), "\(refusal)")
        }
    }

    @Test("a URL with credentials and a wrong scheme is refused without its password; a good one is logged masked")
    func urlPasswordNeverShown() async throws {
        let fixture = try ElasticsearchFixture(partitions: 1)
        defer { fixture.remove() }
        try fixture.harness.installBuiltPlugin(product: "SluiceElasticsearch", as: "elasticsearch",
                                               sidecar: "config:\n  url: ftp://elastic:Es-SECRET-1@es.test\n  index: articles\n  match_field: title\n")
        try await fixture.harness.withRuntime { runtime in
            let refusal = try #require(runtime.refusals.first).description
            #expect(refusal.contains("ftp://elastic:***@es.test"), "\(refusal)")
            #expect(!refusal.contains("SECRET"))
        }
        let url = fixture.standIn.url.replacingOccurrences(of: "http://", with: "http://elastic:Es-SECRET-2@")
        try fixture.harness.writeSidecar("elasticsearch", "config:\n  url: \(url)\n  index: articles\n  match_field: title\n")
        let log = LogRecorder()
        let runtime = try SluiceRuntime(configuration: fixture.harness.configuration,
                                        transport: MemoryTransport(broker: fixture.harness.broker), logger: log.logger(label: "sluice.test"))
        try await withRuntime(runtime) { runtime in
            #expect(runtime.refusals.isEmpty, "\(runtime.refusals)")
        }
        #expect(log.all.contains { $0.contains("elastic:***@127.0.0.1") }, "\(log.all)")
        #expect(!log.all.contains { $0.contains("SECRET") }, "\(log.all)")
    }
}
