import SluicePluginKit
import Testing

/// The one redaction rule the host and every plugin share.
@Suite struct SecretRedactionTests {
    @Test("a URL's password is masked, the user and everything after the host kept", arguments: [
        ("redis://default:SECRET@127.0.0.1:6379/0", "redis://default:***@127.0.0.1:6379/0"),
        ("redis://:SECRET@cache:6379", "redis://:***@cache:6379"),
        ("redis://SECRET@cache", "redis://***@cache"),
        ("https://svc:SECRET@api.test/a@b?c=d@e", "https://svc:***@api.test/a@b?c=d@e"),
        ("http://svc:SE:CR@ET@[::1]:80/", "http://svc:***@[::1]:80/"),
        ("http://api.test/path@x", "http://api.test/path@x"),
        ("no url here, user@example.test", "no url here, user@example.test"),
    ])
    func urlCredentials(text: String, masked: String) {
        #expect(SecretRedaction.maskingURLCredentials(text) == masked)
        #expect(!SecretRedaction.maskingURLCredentials(text).contains("SECRET"))
    }

    @Test("URLs inside a sentence are masked, every one of them")
    func urlsInText() {
        let line = "http: POST http://a:SECRET1@h1/x, fallback 'https://b:SECRET2@h2' up"
        let masked = SecretRedaction.maskingURLCredentials(line)
        #expect(masked == "http: POST http://a:***@h1/x, fallback 'https://b:***@h2' up")
    }

    @Test("secret-looking keys in any case", arguments: [
        "Authorization", "proxy-authorization", "bearer", "BEARER_TOKEN", "token", "api_token", "password", "db.Password",
        "passwd", "secret", "client_secret", "api-key", "API_KEY", "X-Api-Key", "apikey", "Cookie", "Set-Cookie",
        "sasl.jaas.config", "ssl.keystore.location", "ssl.key.pem", "credentials",
    ])
    func secretKeys(key: String) {
        #expect(SecretRedaction.isSecretKey(key))
        #expect(SecretRedaction.redacting("v4lue", underKey: key) == SecretRedaction.redactedValue)
    }

    @Test("ordinary keys are not secret", arguments: ["url", "user", "username", "Content-Type", "X-Source", "index", "topics", "key_prefix"])
    func ordinaryKeys(key: String) {
        #expect(!SecretRedaction.isSecretKey(key))
        #expect(SecretRedaction.redacting("plain", underKey: key) == "plain")
        #expect(SecretRedaction.redacting("http://u:pw@h", underKey: key) == "http://u:***@h")
    }

    @Test("a schema's writeOnly properties, at any depth, are secret keys")
    func schemaSecrets() {
        let schema = """
            {"type":"object","properties":{"url":{"type":"string"},"password":{"type":"string","writeOnly":true},
             "auth":{"type":"object","properties":{"session":{"type":"string","writeOnly":true},"user":{"type":"string"}}}}}
            """
        #expect(SecretRedaction.secretKeys(inSchema: schema) == ["password", "session"])
        #expect(SecretRedaction.secretKeys(inSchema: "not json").isEmpty)
    }
}
