import PropertyBased
import SluiceHost
import Testing

/// The configuration parser under random documents: it never crashes, and
/// every refusal names the file, then what was expected.
@Suite("Configuration parser properties")
struct ConfigurationParserPropertyTests {
    /// Keys of sluice.yaml and the sidecars, a few misspelled, and hostile ones.
    private static let keys = [
        "broker", "workers", "group", "log_level", "plugins_directory", "data_directory", "commit_interval",
        "shutdown_timeout", "admin", "host", "port", "token", "memory", "partitions", "topics", "kafka", "linger.ms",
        "defaults", "retry", "max_attempts", "initial_backoff", "jitter", "batch_size", "max_in_flight", "enabled",
        "on_exhausted", "config", "dead_letter_topic", "batch_timeout", "wokers", "bootstrap.servers", "\"quoted key\"",
    ]

    /// Values of every YAML kind, valid and not, including anchors, tags and block scalars.
    private static let values = [
        "", "1", "0", "-1", "2.5", "1e400", "abc", "~", "null", "true", "no", "[]", "{}", "[a, b]", "{a: 1}", "\"\"",
        "'x'", "memory://", "kafka://h:1", "kafka://", "kafka://a:1,,b:2", "250ms", "1s", "99999999999999h", ".nan",
        ".inf", "&anchor x", "*anchor", "!!binary aGk=", "!!int x", "|", ">-", "[unclosed", "{a: [1, {b: }]}", "\"\\u0000\"",
        "dead_letter", "pause", "warning", "0x1F", "0o17", "2019-05-21", "9223372036854775808",
    ]

    /// A random YAML-ish document: lines of `key: value`, bare keys, list items and
    /// raw hostile text at random indentation.
    private static let documents = Generator<String, Shrink.None<String>> { rng in
        var lines: [String] = []
        for _ in 0..<Int.random(in: 0...12, using: &rng) {
            let indent = String(repeating: " ", count: [0, 0, 0, 2, 2, 4, 1].randomElement(using: &rng)!)
            let key = keys.randomElement(using: &rng)!
            let value = values.randomElement(using: &rng)!
            switch Int.random(in: 0..<10, using: &rng) {
            case 0...5: lines.append("\(indent)\(key): \(value)")
            case 6: lines.append("\(indent)\(key):")
            case 7: lines.append("\(indent)- \(value)")
            case 8: lines.append("\(indent)- \(key): \(value)")
            default:
                let hostile = (0..<Int.random(in: 0...8, using: &rng))
                    .map { _ in String(HostileText.characters.randomElement(using: &rng)!) }.joined()
                lines.append(indent + hostile)
            }
        }
        return lines.joined(separator: "\n")
    }

    @Test("random sluice.yaml documents: parsed, or refused with the file name first and an expectation")
    func hostDocuments() async {
        await Self.checkRefusals(file: "fuzz.yaml") { yaml in
            _ = try ConfigurationLoader.parseHost(yaml: yaml, name: "fuzz.yaml", environment: [:])
        }
    }

    @Test("random sidecars: parsed, or refused with the file name first and an expectation")
    func sidecarDocuments() async {
        await Self.checkRefusals(file: "fuzz-agent.yaml") { yaml in
            _ = try ConfigurationLoader.parseAgent(yaml: yaml, name: "fuzz-agent.yaml", defaults: AgentSettings())
        }
    }

    @Test("random SLUICE_* variables: applied, or refused naming the variable")
    func environmentVariables() async {
        let variables = ["SLUICE_BROKER", "SLUICE_WORKERS", "SLUICE_LOG_LEVEL", "SLUICE_COMMIT_INTERVAL",
                         "SLUICE_SHUTDOWN_TIMEOUT", "SLUICE_ADMIN_PORT", "SLUICE_GROUP", "SLUICE_PLUGINS_DIRECTORY"]
        let texts = Generator<String, Shrink.None<String>> { rng in
            Bool.random(using: &rng) ? Self.values.randomElement(using: &rng)!
                : (0..<Int.random(in: 0...10, using: &rng)).map { _ in String(HostileText.characters.randomElement(using: &rng)!) }.joined()
        }
        let names = Gen<String?>.element(of: variables).compactMap { $0 }
        await checkProperty(count: 1000, input: names, texts) { variable, value in
            do {
                _ = try ConfigurationLoader.parseHost(yaml: "", name: "sluice.yaml", environment: [variable: value])
            } catch let error as ConfigurationError {
                #expect(error.file == nil)
                #expect(error.key == variable, "\(variable)=\(value.debugDescription): \(error)")
                #expect(error.description.hasPrefix("\(variable): expected "), "\(error)")
            } catch {
                Issue.record("not a ConfigurationError: \(error)")
            }
        }
    }

    /// Parses random documents with `parse`; every refusal must be a well-formed ConfigurationError for `file`.
    private static func checkRefusals(file: String, _ parse: @escaping (String) throws -> Void) async {
        await checkProperty(count: 1500, input: documents) { yaml in
            do {
                try parse(yaml)
            } catch let error as ConfigurationError {
                expectWellFormed(error, file: file, yaml: yaml)
            } catch {
                Issue.record("not a ConfigurationError: \(error)")
            }
        }
    }

    /// A refusal starts with the file, says what was expected, and shows the
    /// found value shortened (one bad line cannot flood the log).
    private static func expectWellFormed(_ error: ConfigurationError, file: String, yaml: String) {
        #expect(error.file == file, "\(yaml.debugDescription): \(error)")
        #expect(error.description.hasPrefix("\(file): "), "\(yaml.debugDescription): \(error)")
        #expect(!error.expected.isEmpty, "\(yaml.debugDescription): \(error)")
        #expect(error.description.contains("expected "), "\(yaml.debugDescription): \(error)")
        #expect(!error.key.contains("\n"), "a key path with a line break: \(error.key.debugDescription)")
    }
}
