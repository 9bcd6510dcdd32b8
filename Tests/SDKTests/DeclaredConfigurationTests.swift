import CSluicePlugin
import Foundation
import SluicePluginKit
import SluiceSDK
import Testing

/// A configuration declared once (``ConfigurationSpec``): the descriptor's
/// `config_schema`, strict checking with the host's wording, defaults, then
/// plain `Decodable`.
struct CacheConfiguration: DeclaredConfiguration, Equatable {
    var url: String
    var password: String?
    var ttlSeconds: Int
    var mode: String
    var tags: [String]
    var auth: Auth?

    struct Auth: Decodable, Sendable, Equatable {
        var user: String
    }

    enum CodingKeys: String, CodingKey {
        case url, password, mode, tags, auth
        case ttlSeconds = "ttl_seconds"
    }

    static let spec = ConfigurationSpec {
        ConfigurationKey("url", .string(minLength: 1), default: "redis://127.0.0.1:6379/0", doc: "Where the cache is.")
        ConfigurationKey("password", .string, secret: true, doc: "The password.")
        ConfigurationKey("ttl_seconds", .integer(1...86_400), default: 3600, doc: "How long entries live.")
        ConfigurationKey("mode", .oneOf("fast", "safe"), default: "safe", doc: "How hard to try.")
        ConfigurationKey("tags", .list(of: .string), default: [], doc: "Labels.")
        ConfigurationKey("auth", .object {
            ConfigurationKey("user", .string(minLength: 1), required: true, doc: "Who.")
        }, doc: "Credentials.")
    }
}

/// An agent whose configuration is declared.
struct CacheAgent: BatchAgent {
    typealias Configuration = CacheConfiguration
    static let name = "cache-test"
    static let topics = ["in"]

    init(configuration: CacheConfiguration, host: HostServices) {}
    func handle(_ batch: inout MessageBatch) throws {}
}

@Suite("Declared configuration")
struct DeclaredConfigurationTests {
    @Test("the descriptor's config_schema is the declaration's JSON Schema, secrets writeOnly")
    func schemaInDescriptor() throws {
        let plugin = try LoadedPlugin(entryResult: SluicePlugin.export(CacheAgent.self, 1, 0))
        let schema = try #require(plugin.descriptor.pointee.config_schema.map { String(cString: $0) })
        #expect(schema == CacheConfiguration.spec.jsonSchema)
        #expect(schema.hasPrefix(#"{"type":"object","properties":{"url":{"type":"string","description":"Where the cache is.","minLength":1,"default":"redis://127.0.0.1:6379/0"}"#), "\(schema)")
        #expect(SecretRedaction.secretKeys(inSchema: schema) == ["password"])
        #expect(schema.hasSuffix(#""additionalProperties":false}"#))
        // An agent that declares nothing keeps its plain Decodable path and has no schema.
        #expect(ShoutAgent.configurationSchema == nil && ShoutAgent.configurationSpec == nil)
    }

    @Test("validate_config refuses an unknown key, a wrong type, an out-of-range value with the exact message", arguments: [
        (#"{"ttl_secnds":5}"#,
         #"invalid configuration for cache-test: config.ttl_secnds: expected one of auth, mode, password, tags, ttl_seconds, url, found unknown key "ttl_secnds" (did you mean "ttl_seconds"?)"#),
        (#"{"ttl_seconds":"soon"}"#,
         #"invalid configuration for cache-test: config.ttl_seconds: expected an integer from 1 to 86400, found "soon""#),
        (#"{"ttl_seconds":0}"#,
         #"invalid configuration for cache-test: config.ttl_seconds: expected an integer from 1 to 86400, found 0"#),
        (#"{"mode":"slow"}"#, #"invalid configuration for cache-test: config.mode: expected one of fast, safe, found "slow""#),
        (#"{"auth":{}}"#, #"invalid configuration for cache-test: config.auth.user: expected a non-empty string (required), found nothing"#),
        (#"{"password":42}"#, #"invalid configuration for cache-test: config.password: expected a string"#),
    ])
    func refusals(json: String, reason: String) throws {
        let plugin = try LoadedPlugin(entryResult: SluicePlugin.export(CacheAgent.self, 1, 0))
        #expect(plugin.validate(json) == reason)
    }

    @Test("defaults are filled in before plain Decodable decoding")
    func defaults() throws {
        let decoded = try CacheConfiguration.decode(from: Data(#"{"password":"pw","auth":{"user":"u"}}"#.utf8))
        #expect(decoded == CacheConfiguration(url: "redis://127.0.0.1:6379/0", password: "pw", ttlSeconds: 3600,
                                              mode: "safe", tags: [], auth: .init(user: "u")))
        let plugin = try LoadedPlugin(entryResult: SluicePlugin.export(CacheAgent.self, 1, 0))
        #expect(plugin.validate("{}") == nil)
        #expect(plugin.validate(#"{"ttl_seconds":86400,"tags":["a"]}"#) == nil)
    }

    @Test("the docs table comes from the declaration")
    func table() {
        #expect(CacheConfiguration.spec.markdownTable == """
            | key | value | default | meaning |
            |---|---|---|---|
            | `url` | a non-empty string | `"redis://127.0.0.1:6379/0"` | Where the cache is. |
            | `password` | a string, secret | — | The password. |
            | `ttl_seconds` | an integer from 1 to 86400 | `3600` | How long entries live. |
            | `mode` | one of fast, safe | `"safe"` | How hard to try. |
            | `tags` | a list | `[]` | Labels. |
            | `auth` | a mapping | — | Credentials. |
            | `auth.user` | a non-empty string, required | — | Who. |

            """)
    }
}
