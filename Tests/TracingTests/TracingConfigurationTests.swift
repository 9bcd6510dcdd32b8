import SluiceHost
import Testing

/// The `tracing:` section of sluice.yaml.
@Suite("tracing configuration")
struct TracingConfigurationTests {
    private func parse(_ yaml: String) throws -> HostConfiguration {
        try ConfigurationLoader.parseHost(yaml: yaml, name: "sluice.yaml", environment: ["HOME": "/home/test"])
    }

    @Test("off by default; every key read")
    func keys() throws {
        #expect(try parse("workers: 2\n").tracing == TracingSettings())
        #expect(TracingSettings().enabled == false)
        let tracing = try parse("""
            tracing:
              enabled: true
              endpoint: http://127.0.0.1:4318
              service_name: orders-host
              sample_ratio: 0.25
            """).tracing
        #expect(tracing.enabled)
        #expect(tracing.endpoint == "http://127.0.0.1:4318")
        #expect(tracing.serviceName == "orders-host")
        #expect(tracing.sampleRatio == 0.25)
    }

    @Test("an unknown key is refused with a suggestion")
    func unknownKey() {
        #expect {
            _ = try parse("tracing:\n  sample_rate: 0.5\n")
        } throws: { error in
            let text = "\(error)"
            return text.contains("tracing.sample_rate") && text.contains("did you mean \"sample_ratio\"?")
        }
    }

    @Test("bad values are refused with what was expected", arguments: [
        ("sample_ratio: 1.5", "a number from 0 to 1"),
        ("sample_ratio: -0.1", "a number from 0 to 1"),
        ("endpoint: localhost:4318", "an http:// or https:// URL"),
        ("enabled: maybe", "true or false"),
        ("service_name: ''", "a non-empty service name"),
    ])
    func badValues(_ line: String, _ expected: String) {
        #expect {
            _ = try parse("tracing:\n  \(line)\n")
        } throws: { error in
            "\(error)".contains(expected)
        }
    }

    @Test("the redacted description reads back to the same settings")
    func readsBack() throws {
        var configuration = try parse("tracing:\n  enabled: true\n  endpoint: https://otel.example:4318\n  sample_ratio: 0.5\n")
        configuration.tracing.serviceName = "a \"quoted\" name"
        let text = configuration.redactedDescription
        #expect(text.contains("tracing:\n  enabled: true\n"))
        #expect(try parse(text).tracing == configuration.tracing)
    }
}
