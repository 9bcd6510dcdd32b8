import Foundation
import SluiceHost
import Testing
import TestSupport

/// Configuration files are read without blocking, within 1 MiB, and without
/// YAML aliases (a few hundred bytes of nested aliases stand for billions of values).
@Suite("YAML limits", .timeLimit(.minutes(1)))
struct YAMLLimitsTests {
    /// A "billion laughs" document under `defaults.config.laughs`.
    static let bomb = YAMLBomb.document(leadingLines: ["defaults:", "  config:"], key: "laughs", indent: 4)

    @Test("an alias bomb in sluice.yaml is refused at once, naming the file")
    func aliasBombInHostFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = directory.file("sluice.yaml")
        try Self.bomb.write(toFile: file, atomically: false, encoding: .utf8)
        let clock = ContinuousClock()
        let started = clock.now
        #expect {
            try ConfigurationLoader.loadHost(file: file, environment: [:])
        } throws: { error in
            (error as? ConfigurationError)?.description == "\(file): expected no YAML aliases (write each value out; anchors and aliases are refused), found an alias of the node at line 1, column 4"
        }
        #expect(clock.now - started < .seconds(2))
    }

    @Test("any alias is refused, a scalar's or a merge key's", arguments: [
        "group: &g shop\ndefaults:\n  group: *g\n",
        "defaults: &d\n  batch_size: 5\nother:\n  <<: *d\n",
    ])
    func anyAlias(text: String) {
        #expect {
            try ConfigurationLoader.parseHost(yaml: text, name: "sluice.yaml", environment: [:])
        } throws: { error in
            (error as? ConfigurationError)?.expected.hasPrefix("no YAML aliases") == true
        }
    }

    @Test("missing values and repeated text at different places are not mistaken for aliases")
    func noFalseAlias() throws {
        let text = "defaults:\n  topics:\n  group:\n  config:\n    a:\n    b: x\n    c: [x, x, {x: x}]\n    d:\n      - x\n      - x\n"
        let configuration = try ConfigurationLoader.parseHost(yaml: text, name: "sluice.yaml", environment: [:])
        #expect(configuration.agentDefaults.config["c"] == .array([.string("x"), .string("x"), .object(["x": .string("x")])]))
    }

    @Test("a FIFO named as sluice.yaml is refused without blocking")
    func fifoHostFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = directory.file("sluice.yaml")
        #expect(mkfifo(file, 0o644) == 0)
        #expect {
            try ConfigurationLoader.loadHost(file: file, environment: [:])
        } throws: { error in
            (error as? ConfigurationError)?.description == "\(file): expected a regular file, found a FIFO"
        }
    }

    @Test("sluice.yaml over 1 MiB is refused")
    func oversizedHostFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = directory.file("sluice.yaml")
        try ("group: shop\n" + String(repeating: "#", count: 1 << 20) + "\n").write(toFile: file, atomically: false, encoding: .utf8)
        #expect {
            try ConfigurationLoader.loadHost(file: file, environment: [:])
        } throws: { error in
            guard let error = error as? ConfigurationError else { return false }
            return error.file == file && error.expected == "a file of at most 1048576 bytes (1 MiB)"
        }
    }

    @Test("plugin_environment lists variable names; the host's own variables are refused")
    func pluginEnvironment() throws {
        let configuration = try ConfigurationLoader.parseHost(
            yaml: "plugin_environment: [REDIS_PASSWORD, ES_API_KEY]\n", name: "sluice.yaml", environment: [:])
        #expect(configuration.pluginEnvironment == ["REDIS_PASSWORD", "ES_API_KEY"])
        #expect(configuration.redactedDescription.contains("plugin_environment: [\"REDIS_PASSWORD\", \"ES_API_KEY\"]"))
        for name in ["SLUICE_ADMIN_TOKEN", "SLUICE_KAFKA_SASL_PASSWORD", "not a name"] {
            #expect {
                try ConfigurationLoader.parseHost(yaml: "plugin_environment: [\"\(name)\"]\n", name: "sluice.yaml", environment: [:])
            } throws: { error in
                guard let error = error as? ConfigurationError else { return false }
                return error.key == "plugin_environment[0]" && error.expected.contains("that the host does not read itself")
            }
        }
    }

    @Test("trusted_group takes a group name or gid; an unknown name is refused")
    func trustedGroup() throws {
        let byName = try ConfigurationLoader.parseHost(yaml: "trusted_group: root\n", name: "sluice.yaml", environment: [:])
        #expect(byName.trustedGroup == 0)
        let byNumber = try ConfigurationLoader.parseHost(yaml: "trusted_group: 4242\n", name: "sluice.yaml", environment: [:])
        #expect(byNumber.trustedGroup == 4242)
        #expect {
            try ConfigurationLoader.parseHost(yaml: "trusted_group: no-such-group-here\n", name: "sluice.yaml", environment: [:])
        } throws: { error in
            (error as? ConfigurationError)?.description == "sluice.yaml: trusted_group: expected the name or gid of an existing group, found \"no-such-group-here\""
        }
    }
}
