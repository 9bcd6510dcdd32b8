import Foundation
import Testing
import TestSupport

/// The redis plugin's declared configuration: the host refuses a bad
/// `config:` with the exact message, and docs/plugins/redis.md's table is the
/// declaration's.
@Suite("redis plugin: declared configuration")
struct RedisConfigurationDeclarationTests {
    @Test("an unknown key, a wrong type, an out-of-range value: refused with the exact message", arguments: [
        ("  pool_sise: 2\n",
         #"config.pool_sise: expected one of commands, connect_timeout_ms, expire_seconds, key_prefix, password, password_env, pool_size, reconnect_backoff_max_ms, reconnect_backoff_ms, timeout_ms, url, found unknown key "pool_sise" (did you mean "pool_size"?)"#),
        ("  pool_size: four\n", #"config.pool_size: expected an integer from 1 to 256, found "four""#),
        ("  pool_size: 0\n", "config.pool_size: expected an integer from 1 to 256, found 0"),
        ("  expire_seconds: -5\n", "config.expire_seconds: expected an integer of at least 1, found -5"),
        ("  password: [hunter2]\n", "config.password: expected a string"),
        ("  commands: []\n", "config.commands: expected a non-empty list, found an empty list"),
    ])
    func refused(config: String, message: String) async throws {
        let refusal = try await HostHarness.refusal(ofBuiltPlugin: "SluiceRedis", as: "redis", config: config)
        let plugins = try #require(refusal?.components(separatedBy: "/redis.so refused: ").first)
        #expect(refusal == "\(plugins)/redis.so refused: \(plugins)/redis.yaml: \(message)")
    }

    @Test("the docs' configuration table is the one the declaration generates")
    func docsTable() throws {
        #expect(try PluginConfigDocs.documentedRows(inFile: "docs/plugins/redis.md")
                == PluginConfigDocs.generatedRows(ofBuiltPlugin: "SluiceRedis"))
    }
}
