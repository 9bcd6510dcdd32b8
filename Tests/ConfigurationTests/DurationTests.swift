import SluiceHost
import Testing

/// Duration spellings, through the keys that hold durations.
@Suite struct DurationTests {
    static func commitInterval(_ text: String) throws -> Duration {
        try ConfigurationLoader.parseHost(yaml: "commit_interval: \(text)\n", name: "sluice.yaml", environment: [:]).commitInterval
    }

    @Test(arguments: [
        ("1s", Duration.seconds(1)),
        ("250ms", .milliseconds(250)),
        ("2m", .seconds(120)),
        ("1h", .seconds(3600)),
        ("3", .seconds(3)),
        ("1.5", .milliseconds(1500)),
        ("0.5s", .milliseconds(500)),
        ("1.25m", .seconds(75)),
        ("0.1ms", .microseconds(100)),
        ("\"10s\"", .seconds(10)),
    ])
    func validSpellings(text: String, duration: Duration) throws {
        #expect(try Self.commitInterval(text) == duration)
    }

    @Test(arguments: ["1d", "s", "1 s", "1.s", ".5s", "1e3", "+1s", "1sm", "ten", "1,5s"])
    func invalidSpellings(text: String) {
        #expect(throws: ConfigurationError.self) { try Self.commitInterval(text) }
    }

    @Test func zeroIsAllowedOnlyWhereItMakesSense() throws {
        let configuration = try ConfigurationLoader.parseHost(yaml: "shutdown_timeout: 0s\n", name: "s.yaml", environment: [:])
        #expect(configuration.shutdownTimeout == .zero)
        #expect(throws: ConfigurationError.self) { try Self.commitInterval("0ms") }
    }

    @Test func descriptionsUseTheLargestExactUnit() {
        var configuration = HostConfiguration(environment: [:])
        configuration.commitInterval = .milliseconds(1500)
        configuration.shutdownTimeout = .seconds(7200)
        configuration.agentDefaults.batchTimeout = .nanoseconds(2_500)
        let text = configuration.redactedDescription
        #expect(text.contains("commit_interval: 1500ms\n"))
        #expect(text.contains("shutdown_timeout: 2h\n"))
        #expect(text.contains("  batch_timeout: 0.0000025s\n"))
    }
}
