import Foundation
import SluiceHost
import SluiceInfluxDBPlugin
import Testing
import TestSupport

/// The influxdb plugin never repeats a password, and refuses a `password_env`
/// that names an unset variable (as the redis and elasticsearch plugins do).
@Suite("influxdb plugin: secrets")
struct InfluxSecretTests {
    private func decode(_ json: String) throws -> InfluxConfiguration {
        try InfluxConfiguration.decode(from: Data(json.utf8))
    }

    @Test("a URL with credentials and a wrong scheme is refused without its password")
    func schemeErrorMasksPassword() throws {
        let configuration = try decode(#"{"url":"ftp://admin:Inf1ux-SECRET@db.test:8086","database":"d"}"#)
        let error = #expect(throws: (any Error).self) { try configuration.validate() }
        let text = error.map { "\($0)" } ?? ""
        #expect(text.contains("'url'") && text.contains("ftp://admin:***@db.test:8086"), "\(text)")
        #expect(!text.contains("SECRET"), "\(text)")
    }

    @Test("password_env naming an unset variable is an error naming the key and the variable")
    func unsetPasswordEnvironment() throws {
        let configuration = try decode(#"{"url":"http://h:1","database":"d","username":"u","password":"fallback-pw","password_env":"SLUICE_TEST_INFLUX_UNSET"}"#)
        try configuration.validate()
        let error = #expect(throws: (any Error).self) { try configuration.effectivePassword(environment: [:]) }
        let text = error.map { "\($0)" } ?? ""
        #expect(text.contains("'password_env'") && text.contains("SLUICE_TEST_INFLUX_UNSET"), "\(text)")
        #expect(!text.contains("fallback-pw"))
        let set = try configuration.effectivePassword(environment: ["SLUICE_TEST_INFLUX_UNSET": "from-env"])
        #expect(set == "from-env")
    }

    @Test("in the host, the agent with an unset password_env is refused and the refusal names the variable")
    func refusedInTheHost() async throws {
        let variable = "SLUICE_TEST_INFLUX_UNSET_\(UUID().uuidString.prefix(8))"
        var harness = try PluginFixture.harness(config: [
            "url: http://127.0.0.1:1", "database: d", "username: u", "password_env: \(variable)",
        ])
        harness.configuration.pluginEnvironment = [variable]
        defer { harness.remove() }
        try await harness.withRuntime { runtime in
            #expect(runtime.agents.isEmpty)
            let refusal = try #require(runtime.refusals.first).description
            #expect(refusal.contains("'password_env'") && refusal.contains(variable), "\(refusal)")
        }
    }
}
