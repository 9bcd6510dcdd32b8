import Foundation
import SluiceHost
import Testing
import TestSupport

/// Per-agent sidecars NAME.yaml over the host's `defaults:`.
@Suite struct SidecarTests {
    static func hostDefaults() throws -> AgentSettings {
        try ConfigurationLoader.parseHost(yaml: """
            defaults:
              batch_size: 100
              retry:
                max_attempts: 8
                jitter: 0.5
              config:
                region: eu
            """, name: "sluice.yaml", environment: [:]).agentDefaults
    }

    @Test func sidecarKeysReplaceDefaultsAndTheRestIsKept() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("orders.yaml")
        try """
            topics: [orders]
            retry:
              max_attempts: 2
            config:
              smtp:
                host: mail.local
                port: 2525
            """.write(toFile: path, atomically: true, encoding: .utf8)

        let defaults = try Self.hostDefaults()
        let settings = try ConfigurationLoader.loadAgent(sidecar: path, defaults: defaults)

        var expected = defaults
        expected.topics = ["orders"]
        expected.retry.maxAttempts = 2        // replaced inside retry …
        #expect(expected.retry.jitter == 0.5) // … while the defaults' other retry keys stay
        expected.config = ["smtp": ["host": "mail.local", "port": 2525]]  // config replaced whole
        #expect(settings == expected)
        #expect(settings.batchSize == 100)
        #expect(settings.config.jsonText == #"{"smtp":{"host":"mail.local","port":2525}}"#)
    }

    @Test func missingOrAbsentSidecarMeansTheDefaults() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let defaults = try Self.hostDefaults()
        #expect(try ConfigurationLoader.loadAgent(sidecar: nil, defaults: defaults) == defaults)
        #expect(try ConfigurationLoader.loadAgent(sidecar: directory.file("none.yaml"), defaults: defaults) == defaults)
        let empty = directory.file("empty.yaml")
        try "".write(toFile: empty, atomically: true, encoding: .utf8)
        #expect(try ConfigurationLoader.loadAgent(sidecar: empty, defaults: defaults) == defaults)
    }

    @Test func nullResetsOptionalKeysToThePluginDefaults() throws {
        var defaults = AgentSettings()
        defaults.topics = ["a"]
        defaults.group = "g"
        defaults.deadLetterTopic = "dlq"
        defaults.config = ["k": 1]
        let settings = try ConfigurationLoader.parseAgent(
            yaml: "topics: null\ngroup: ~\ndead_letter_topic:\nconfig:\n", name: "orders.yaml", defaults: defaults)
        #expect(settings == AgentSettings())
    }

    @Test func sidecarThatIsNotAMappingIsAnErrorForTheWholeFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("orders.yaml")
        try "[1, 2]\n".write(toFile: path, atomically: true, encoding: .utf8)
        let error = #expect(throws: ConfigurationError.self) {
            try ConfigurationLoader.loadAgent(sidecar: path, defaults: AgentSettings())
        }
        #expect(error?.key == "")
        #expect(error?.description == "\(path): expected a mapping of key: value, found a list")
    }

    @Test func unreadableSidecarIsAnError() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // A directory where the sidecar should be: exists, but cannot be read as a file.
        let path = directory.file("orders.yaml")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        let error = #expect(throws: ConfigurationError.self) {
            try ConfigurationLoader.loadAgent(sidecar: path, defaults: AgentSettings())
        }
        #expect(error?.description == "\(path): expected a readable file, found an OS error: Is a directory")
    }

    @Test func settingsDescriptionReadsBack() throws {
        var settings = AgentSettings()
        settings.enabled = false
        settings.topics = ["x", "y.z"]
        settings.group = "odd \"group\""
        settings.batchTimeout = .nanoseconds(1_500)
        settings.retry.multiplier = 1.25
        settings.onExhausted = .pause
        settings.deadLetterTopic = "x-dead"
        settings.isolation = .process
        settings.memoryLimit = 3 << 29
        settings.nice = 7
        settings.config = ["list": [1, 2.5, "three", nil, true], "nested": ["deep": ["ok": false]], "text": "tab\there"]
        let reread = try ConfigurationLoader.parseAgent(yaml: settings.redactedDescription, name: "d.yaml", defaults: AgentSettings())
        #expect(reread == settings)
    }

    @Test func isolationKeys() throws {
        let settings = try ConfigurationLoader.parseAgent(
            yaml: "isolation: process\nmemory_limit: 256MiB\nnice: 10\n", name: "orders.yaml", defaults: AgentSettings())
        #expect(settings.isolation == .process)
        #expect(settings.memoryLimit == 256 << 20)
        #expect(settings.nice == 10)
        let plain = try ConfigurationLoader.parseAgent(yaml: "memory_limit: 65536\n", name: "orders.yaml", defaults: AgentSettings())
        #expect(plain.memoryLimit == 65_536, "a bare number is bytes")
        #expect(plain.isolation == .inProcess, "in-process unless asked")
        let reset = try ConfigurationLoader.parseAgent(yaml: "memory_limit: null\n", name: "orders.yaml", defaults: settings)
        #expect(reset.memoryLimit == nil)
    }
}
