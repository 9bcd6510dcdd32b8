import Foundation
import Logging
import SluiceHost
import Testing
import TestSupport

/// The host checks every agent's `config:` against the plugin's
/// `config_schema` before `validate_config`, C plugins included, naming the
/// sidecar and the dotted key; a schema it cannot read refuses the plugin.
@Suite("config_schema checked by the host")
struct ConfigSchemaCheckTests {
    /// The fixture built with `-DSCHEMA_FEED_CACHE`, loaded.
    private func feedCache(_ directory: TemporaryDirectory, log: RecordedLog? = nil) async throws -> PluginImage {
        let path = try await LoaderFixtures.plugin("feed-cache.so", in: directory, flags: ["-DSCHEMA_FEED_CACHE"])
        return try LoaderFixtures.loader(directory, log: log).load(file: path)
    }

    @Test("a C plugin's config is refused with the exact message naming the sidecar and the key", arguments: [
        (#"{"ttl_seconds":0}"#, #"config.ttl_seconds: expected an integer from 1 to 86400, found 0"#),
        (#"{"ttl_seconds":86401}"#, #"config.ttl_seconds: expected an integer from 1 to 86400, found 86401"#),
        (#"{"ttl_seconds":"1h"}"#, #"config.ttl_seconds: expected an integer from 1 to 86400, found "1h""#),
        (#"{"ttl_seconds":1.5}"#, #"config.ttl_seconds: expected an integer from 1 to 86400, found 1.5"#),
        (#"{"ttl_seconds":60,"ttl_secnds":1}"#,
         #"config.ttl_secnds: expected one of api_token, fail, mode, servers, ttl_seconds, found unknown key "ttl_secnds" (did you mean "ttl_seconds"?)"#),
        (#"{}"#, #"config.ttl_seconds: expected an integer from 1 to 86400 (required), found nothing"#),
        (#"{"ttl_seconds":60,"mode":"slow"}"#, #"config.mode: expected one of fast, safe, found "slow""#),
        (#"{"ttl_seconds":60,"servers":[]}"#, #"config.servers: expected a non-empty list, found an empty list"#),
        (#"{"ttl_seconds":60,"servers":[{"host":"a"},{"host":""}]}"#,
         #"config.servers[1].host: expected a non-empty string, found """#),
        (#"{"ttl_seconds":60,"servers":[{"hostt":"a"}]}"#,
         #"config.servers[0].hostt: expected one of host, port, found unknown key "hostt" (did you mean "host"?)"#),
        (#"{"ttl_seconds":60,"fail":"yes"}"#, #"config.fail: expected true or false, found "yes""#),
        (#"[1]"#, #"config: expected a mapping, found a list"#),
    ])
    func refusedWithExactMessage(config: String, message: String) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let image = try await feedCache(directory)
        let error = #expect(throws: PluginRefusal.self) { try image.validateConfiguration(config) }
        #expect(error?.reason == .invalidConfiguration)
        #expect(error?.description == "\(image.sourcePath) refused: \(directory.file("feed-cache.yaml")): \(message)")
    }

    @Test("a secret's value is never repeated; a valid config reaches validate_config, which runs after the schema")
    func secretsAndOrder() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let image = try await feedCache(directory)
        let error = #expect(throws: PluginRefusal.self) {
            try image.validateConfiguration(#"{"ttl_seconds":60,"api_token":["tok-SECRET"]}"#)
        }
        #expect(error?.detail == "\(directory.file("feed-cache.yaml")): config.api_token: expected a string")
        try image.validateConfiguration(#"{"ttl_seconds":60,"api_token":"tok","servers":[{"host":"a","port":1}]}"#)
        let plugin = #expect(throws: PluginRefusal.self) { try image.validateConfiguration(#"{"ttl_seconds":60,"fail":true}"#) }
        #expect(plugin?.detail == "configuration rejected by validate_config: fail was requested")
        #expect(image.secretConfigKeys == ["api_token"])
        #expect(image.displayedConfigSchema?.contains("schema-default-SECRET") == false)
        #expect(image.displayedConfigSchema?.contains(#""api_token":{"type":"string","writeOnly":true,"default":"<redacted>"}"#) == true)
    }

    @Test("keywords outside the checked subset are logged once when the plugin loads")
    func ignoredKeywordsLogged() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let log = RecordedLog()
        let image = try await feedCache(directory, log: log)
        #expect(image.checkedConfigSchema?.ignoredKeywords == ["/properties/servers/items/properties/host/pattern"])
        let warning = try #require(log.entries.first { $0.message == "config_schema keywords not checked by the host" })
        #expect(warning.level == .warning)
        #expect(warning.metadata["config_schema.ignored"] == "/properties/servers/items/properties/host/pattern")
    }

    @Test("a config_schema that is not JSON refuses the plugin")
    func brokenSchemaRefused() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try await LoaderFixtures.plugin("broken.so", in: directory, flags: ["-DSCHEMA_BROKEN"])
        let refusal = try #require(LoaderFixtures.refusal { () throws(PluginRefusal) in
            try LoaderFixtures.loader(directory).load(file: path)
        })
        #expect(refusal.reason == .invalidConfigSchema)
        #expect(refusal.description.hasPrefix("\(path) refused: config_schema: not JSON: "), "\(refusal)")
        #expect(refusal.description.hasSuffix(" (expected a JSON Schema object; see docs/plugin-abi.md)"), "\(refusal)")
    }

    @Test("in the runtime, the sidecar's config is refused before the agent starts, naming the sidecar and the key")
    func refusedInTheRuntime() async throws {
        let harness = try HostHarness(partitions: 1)
        defer { harness.remove() }
        try await LoaderFixtures.compile(agent: "feed-cache", into: harness, flags: ["-DSCHEMA_FEED_CACHE"])
        try harness.writeSidecar("feed-cache", "config:\n  ttl_seconds: 0\n  api_token: tok-SECRET\n")
        try await harness.withRuntime { runtime in
            #expect(runtime.agents.isEmpty)
            let refusal = try #require(runtime.refusals.first)
            let sidecar = harness.pluginsDirectory + "/feed-cache.yaml"
            #expect(refusal.description == "\(harness.pluginsDirectory)/feed-cache.so refused: \(sidecar): config.ttl_seconds: expected an integer from 1 to 86400, found 0")
        }
    }
}
