import SluiceHost
import Testing

/// Secrets never reach logs or error messages.
@Suite struct RedactionTests {
    @Test func redactedDescriptionHidesEverySecret() throws {
        let configuration = try ConfigurationLoader.parseHost(yaml: """
            kafka:
              sasl.username: alice
              sasl.password: hunter2
              ssl.key.password: kp-secret-1
              ssl.keystore.password: ks-secret-2
              ssl.key.pem: pem-secret-3
              sasl.oauthbearer.client.secret: oauth-secret-4
              sasl.jaas.config: jaas-secret-5
            admin:
              token: admin-secret-6
            defaults:
              config:
                api_token: plugin-secret-7
                nested: { password: plugin-secret-8, user: bob }
            """, name: "sluice.yaml", environment: ["SLUICE_KAFKA_SASL_OAUTHBEARER_CONFIG": "env-secret-9"])
        let text = configuration.redactedDescription
        for secret in ["hunter2", "kp-secret-1", "ks-secret-2", "pem-secret-3", "oauth-secret-4",
                       "jaas-secret-5", "admin-secret-6", "plugin-secret-7", "plugin-secret-8", "env-secret-9"] {
            #expect(!text.contains(secret), "\(secret) leaked")
        }
        #expect(text.contains(#""sasl.username": "alice""#))
        #expect(text.contains(#""sasl.password": "<redacted>""#))
        #expect(text.contains(#"  token: "<redacted>""#))
        #expect(text.contains(#""user":"bob""#))
        // The values themselves are intact for the runtime.
        #expect(configuration.kafka["sasl.password"] == "hunter2")
        #expect(configuration.admin.token == "admin-secret-6")
    }

    @Test func errorsNeverRepeatASecretValue() {
        let fromFile = #expect(throws: ConfigurationError.self) {
            try ConfigurationLoader.parseHost(yaml: "kafka:\n  sasl.password: {x: hunter2}\n", name: "s.yaml", environment: [:])
        }
        #expect(fromFile?.description.contains("hunter2") == false)
        let nested = #expect(throws: ConfigurationError.self) {
            try ConfigurationLoader.parseAgent(yaml: "config:\n  db:\n    secret: .inf\n", name: "a.yaml", defaults: AgentSettings())
        }
        #expect(nested?.found == nil)
        let fromEnvironment = #expect(throws: ConfigurationError.self) {
            try ConfigurationLoader.loadHost(file: nil, environment: ["SLUICE_ADMIN_TOKEN": ""])
        }
        #expect(fromEnvironment?.found == nil)
    }

    @Test func configValueRedactionKeepsStructure() {
        let value: ConfigValue = ["user": "u", "Password": "p", "items": [["token": "t", "id": 1]]]
        #expect(value.redactedJSONText == #"{"Password":"<redacted>","items":[{"id":1,"token":"<redacted>"}],"user":"u"}"#)
        #expect(value.jsonText == #"{"Password":"p","items":[{"id":1,"token":"t"}],"user":"u"}"#)
    }

    @Test func credentialsInsideURLsAreMasked() {
        let value: ConfigValue = [
            "url": "redis://:s3cret@127.0.0.1:6379/0",
            "upstream": "https://user:pw@example.test/path?q=a@b",
            "plain": "http://example.test/a@b",
        ]
        #expect(value.redactedJSONText
            == #"{"plain":"http://example.test/a@b","upstream":"https://user:***@example.test/path?q=a@b","url":"redis://:***@127.0.0.1:6379/0"}"#)
        #expect(!value.redactedJSONText.contains("s3cret"))
        #expect(value.jsonText.contains("s3cret"), "the plugin itself still gets the real URL")
    }
}
