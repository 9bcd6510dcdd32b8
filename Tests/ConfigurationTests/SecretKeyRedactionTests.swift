import SluiceHost
import Testing

/// The start-up log's configuration text follows the shared redaction rule:
/// header-style secret keys in any case, and URL passwords.
@Suite struct SecretKeyRedactionTests {
    @Test("Authorization, bearer, X-Api-Key, cookie and URL passwords never reach the start-up description")
    func headerStyleKeys() throws {
        let configuration = try ConfigurationLoader.parseHost(yaml: """
            defaults:
              config:
                url: https://svc:url-secret-1@api.test/v1
                headers:
                  Authorization: Bearer header-secret-2
                  X-Api-Key: header-secret-3
                  Cookie: session=header-secret-4
                  X-Source: sluice
                bearer: header-secret-5
                API-KEY: header-secret-6
            """, name: "sluice.yaml", environment: [:])
        let text = configuration.redactedDescription
        for secret in ["url-secret-1", "header-secret-2", "header-secret-3", "header-secret-4", "header-secret-5", "header-secret-6"] {
            #expect(!text.contains(secret), "\(secret) leaked: \(text)")
        }
        #expect(text.contains("https://svc:***@api.test/v1"), "\(text)")
        #expect(text.contains(#""X-Source":"sluice""#), "\(text)")
        #expect(text.contains(#""Authorization":"<redacted>""#), "\(text)")
    }

    @Test("keys a plugin's schema marks writeOnly are redacted whatever their names")
    func schemaMarkedSecrets() {
        var settings = AgentSettings()
        settings.config = ["dsn": "schema-secret-1", "nested": ["pin": "schema-secret-2", "label": "shown"], "user": "bob"]
        let schema = #"""
            {"type":"object","properties":{"dsn":{"type":"string","writeOnly":true},
             "nested":{"type":"object","properties":{"pin":{"type":"string","writeOnly":true}}}}}
            """#
        let text = settings.redactedDescription(configSchema: schema)
        #expect(!text.contains("schema-secret-1") && !text.contains("schema-secret-2"), "\(text)")
        #expect(text.contains(#""label":"shown""#) && text.contains(#""user":"bob""#), "\(text)")
        #expect(settings.redactedDescription(configSchema: nil).contains("schema-secret-1"), "without a schema the names decide")
    }
}
