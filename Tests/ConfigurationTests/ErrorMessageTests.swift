import SluiceHost
import Testing

/// Every kind of mistake in sluice.yaml or a sidecar, with the exact message
/// an operator reads.
@Suite struct ErrorMessageTests {
    /// A file's text and the message it must produce.
    struct Case: CustomTestStringConvertible, Sendable {
        let yaml: String
        let message: String
        var testDescription: String { message }
    }

    static let hostCases: [Case] = [
        // The top level and YAML itself.
        Case(yaml: "- a\n- b\n", message: #"sluice.yaml: expected a mapping of key: value, found a list"#),
        Case(yaml: "just text\n", message: #"sluice.yaml: expected a mapping of key: value, found "just text""#),
        Case(yaml: "group: [unclosed\n",
             message: "sluice.yaml: expected valid YAML, found while parsing a flow sequence, did not find expected ',' or ']' at line 2, column 1"),
        Case(yaml: "group: a\ngroup: b\n", message: "sluice.yaml: group: expected each key once, found it a second time"),
        // Unknown keys, with and without a suggestion.
        Case(yaml: "wokers: 2\n",
             message: #"sluice.yaml: wokers: expected one of admin, broker, commit_interval, data_directory, defaults, group, kafka, log_level, memory, plugin_environment, plugins_directory, shutdown_timeout, tracing, trusted_group, workers, found unknown key "wokers" (did you mean "workers"?)"#),
        Case(yaml: "pluginsDirectory: x\n",
             message: #"sluice.yaml: pluginsDirectory: expected one of admin, broker, commit_interval, data_directory, defaults, group, kafka, log_level, memory, plugin_environment, plugins_directory, shutdown_timeout, tracing, trusted_group, workers, found unknown key "pluginsDirectory" (did you mean "plugins_directory"?)"#),
        Case(yaml: "colour: blue\n",
             message: #"sluice.yaml: colour: expected one of admin, broker, commit_interval, data_directory, defaults, group, kafka, log_level, memory, plugin_environment, plugins_directory, shutdown_timeout, tracing, trusted_group, workers, found unknown key "colour""#),
        Case(yaml: "defaults:\n  retry:\n    max_attemps: 3\n",
             message: #"sluice.yaml: defaults.retry.max_attemps: expected one of initial_backoff, jitter, max_attempts, max_backoff, multiplier, found unknown key "max_attemps" (did you mean "max_attempts"?)"#),
        Case(yaml: "memory:\n  partition: 3\n",
             message: #"sluice.yaml: memory.partition: expected one of partitions, topics, found unknown key "partition" (did you mean "partitions"?)"#),
        Case(yaml: "admin:\n  tokn: x\n",
             message: #"sluice.yaml: admin.tokn: expected one of host, idle_timeout, max_connections, port, request_head_timeout, token, token_file, found unknown key "tokn" (did you mean "token"?)"#),
        // Wrong types and ranges.
        Case(yaml: "workers: abc\n", message: #"sluice.yaml: workers: expected an integer from 1 to 1024, found "abc""#),
        Case(yaml: "workers: 0\n", message: #"sluice.yaml: workers: expected an integer from 1 to 1024, found "0""#),
        Case(yaml: "workers: 2.5\n", message: #"sluice.yaml: workers: expected an integer from 1 to 1024, found "2.5""#),
        Case(yaml: "workers:\n", message: "sluice.yaml: workers: expected an integer from 1 to 1024, found null"),
        Case(yaml: "workers: [1]\n", message: "sluice.yaml: workers: expected an integer from 1 to 1024, found a list"),
        Case(yaml: "log_level: verbose\n",
             message: #"sluice.yaml: log_level: expected one of trace, debug, info, notice, warning, error, critical, found "verbose""#),
        Case(yaml: "group: \"\"\n", message: #"sluice.yaml: group: expected a non-empty consumer group prefix, found """#),
        Case(yaml: "plugins_directory: {a: 1}\n", message: "sluice.yaml: plugins_directory: expected a non-empty path, found a mapping"),
        Case(yaml: "memory: 4\n", message: #"sluice.yaml: memory: expected a mapping of key: value, found "4""#),
        Case(yaml: "memory:\n  topics:\n    orders: 0\n",
             message: #"sluice.yaml: memory.topics.orders: expected an integer from 1 to 1024, found "0""#),
        Case(yaml: "memory:\n  topics:\n    \"bad topic\": 2\n",
             message: #"sluice.yaml: memory.topics.bad topic: expected a topic name (1 to 249 characters of a-z A-Z 0-9 . _ -), found "bad topic""#),
        Case(yaml: "admin:\n  port: 70000\n", message: #"sluice.yaml: admin.port: expected an integer from 0 to 65535, found "70000""#),
        // Durations.
        Case(yaml: "commit_interval: soon\n",
             message: #"sluice.yaml: commit_interval: expected a positive duration such as 250ms, 1s, 2m or 1h, found "soon""#),
        Case(yaml: "commit_interval: 0s\n",
             message: #"sluice.yaml: commit_interval: expected a positive duration such as 250ms, 1s, 2m or 1h, found "0s""#),
        Case(yaml: "commit_interval: -1s\n",
             message: #"sluice.yaml: commit_interval: expected a positive duration such as 250ms, 1s, 2m or 1h, found "-1s""#),
        Case(yaml: "shutdown_timeout: 5 days\n",
             message: #"sluice.yaml: shutdown_timeout: expected a duration such as 250ms, 1s, 2m or 1h, found "5 days""#),
        Case(yaml: "shutdown_timeout: 1.s\n",
             message: #"sluice.yaml: shutdown_timeout: expected a duration such as 250ms, 1s, 2m or 1h, found "1.s""#),
        Case(yaml: "shutdown_timeout: 99999999999999h\n",
             message: #"sluice.yaml: shutdown_timeout: expected a duration such as 250ms, 1s, 2m or 1h, found "99999999999999h""#),
        // Broker URLs.
        Case(yaml: "broker: redis://x\n",
             message: #"sluice.yaml: broker: expected memory:// or kafka://host:port[,host:port...], found "redis://x""#),
        Case(yaml: "broker: kafka://\n",
             message: #"sluice.yaml: broker: expected at least one host:port after kafka://, found "kafka://""#),
        Case(yaml: "broker: kafka://host\n",
             message: #"sluice.yaml: broker: expected a port after the host (kafka://host:9092), found "kafka://host""#),
        Case(yaml: "broker: kafka://host:abc\n",
             message: #"sluice.yaml: broker: expected a port number from 1 to 65535 after "host:", found "kafka://host:abc""#),
        Case(yaml: "broker: kafka://a:1,,b:2\n",
             message: #"sluice.yaml: broker: expected a host:port between every pair of commas, found "kafka://a:1,,b:2""#),
        Case(yaml: "broker: memory://x\n",
             message: #"sluice.yaml: broker: expected memory:// with nothing after it, found "memory://x""#),
        Case(yaml: "broker: 42\n",
             message: #"sluice.yaml: broker: expected memory:// or kafka://host:port[,host:port...], found "42""#),
        // Kafka pass-through.
        Case(yaml: "kafka:\n  bootstrap.servers: a:1\n",
             message: #"sluice.yaml: kafka.bootstrap.servers: expected a librdkafka property the host does not manage (set broker instead), found "bootstrap.servers""#),
        Case(yaml: "kafka:\n  linger.ms: [1]\n",
             message: "sluice.yaml: kafka.linger.ms: expected a string, number or boolean, found a list"),
        // Secrets are never repeated.
        Case(yaml: "admin:\n  token: [hunter2]\n", message: "sluice.yaml: admin.token: expected a non-empty token, found a list"),
        Case(yaml: "admin:\n  token: \"\"\n", message: "sluice.yaml: admin.token: expected a non-empty token"),
        // Long values are shortened.
        Case(yaml: "workers: \(String(repeating: "9", count: 100))\n",
             message: "sluice.yaml: workers: expected an integer from 1 to 1024, found \"\(String(repeating: "9", count: 59))…\""),
    ]

    @Test(arguments: hostCases)
    func hostFileMistake(_ mistake: Case) throws {
        let error = #expect(throws: ConfigurationError.self) {
            try ConfigurationLoader.parseHost(yaml: mistake.yaml, name: "sluice.yaml", environment: [:])
        }
        #expect(error?.description == mistake.message)
    }

    static let sidecarCases: [Case] = [
        Case(yaml: "batch_size: 0\n", message: #"orders.yaml: batch_size: expected an integer from 1 to 100000, found "0""#),
        Case(yaml: "batch_size: 100001\n", message: #"orders.yaml: batch_size: expected an integer from 1 to 100000, found "100001""#),
        Case(yaml: "max_in_flight: 100\n",
             message: #"orders.yaml: max_in_flight: expected an integer of at least batch_size (500), found "100""#),
        Case(yaml: "batch_size: 20000\n",
             message: #"orders.yaml: batch_size: expected an integer of at most max_in_flight (10000), found "20000""#),
        Case(yaml: "enabled: maybe\n", message: #"orders.yaml: enabled: expected true or false, found "maybe""#),
        Case(yaml: "topics: orders\n", message: #"orders.yaml: topics: expected a list of topic names, found "orders""#),
        Case(yaml: "topics: []\n",
             message: "orders.yaml: topics: expected at least one topic (or null for the plugin's default topics), found an empty list"),
        Case(yaml: "topics: [a, \"b c\"]\n",
             message: #"orders.yaml: topics[1]: expected a topic name (1 to 249 characters of a-z A-Z 0-9 . _ -), found "b c""#),
        Case(yaml: "topics: [a, a]\n", message: #"orders.yaml: topics[1]: expected each entry once, found "a" a second time"#),
        Case(yaml: "on_exhausted: drop\n", message: #"orders.yaml: on_exhausted: expected one of dead_letter, pause, found "drop""#),
        Case(yaml: "retry: 3\n", message: #"orders.yaml: retry: expected a mapping of key: value, found "3""#),
        Case(yaml: "retry:\n  max_attempts: abc\n",
             message: #"orders.yaml: retry.max_attempts: expected a positive integer, found "abc""#),
        Case(yaml: "retry:\n  jitter: 1.5\n", message: #"orders.yaml: retry.jitter: expected a number from 0 to 1, found "1.5""#),
        Case(yaml: "retry:\n  multiplier: 0.5\n",
             message: #"orders.yaml: retry.multiplier: expected a number from 1 to 1000, found "0.5""#),
        Case(yaml: "retry:\n  max_backoff: 50ms\n",
             message: #"orders.yaml: retry.max_backoff: expected a duration of at least initial_backoff (100ms), found "50ms""#),
        Case(yaml: "retry:\n  initial_backoff: 1m\n",
             message: #"orders.yaml: retry.initial_backoff: expected a duration of at most max_backoff (10s), found "1m""#),
        Case(yaml: "batch_timeout: 0\n",
             message: #"orders.yaml: batch_timeout: expected a positive duration such as 250ms, 1s, 2m or 1h, found "0""#),
        Case(yaml: "config: [1, 2]\n", message: "orders.yaml: config: expected a mapping (the plugin's configuration), found a list"),
        Case(yaml: "config:\n  ratio: .nan\n", message: #"orders.yaml: config.ratio: expected a finite number, found ".nan""#),
        Case(yaml: "config:\n  nested:\n    a: 1\n    a: 2\n", message: "orders.yaml: config.nested.a: expected each key once, found it a second time"),
        Case(yaml: "config:\n  password: .inf\n", message: "orders.yaml: config.password: expected a finite number"),
        Case(yaml: "batchSize: 10\n",
             message: #"orders.yaml: batchSize: expected one of batch_size, batch_timeout, config, dead_letter_topic, enabled, group, inline_below, isolation, max_in_flight, memory_limit, nice, on_exhausted, plugin, retry, topics, found unknown key "batchSize" (did you mean "batch_size"?)"#),
        Case(yaml: "isolation: sandbox\n",
             message: #"orders.yaml: isolation: expected in_process or process, found "sandbox""#),
        Case(yaml: "memory_limit: 12 parsecs\n",
             message: #"orders.yaml: memory_limit: expected a size such as 512MiB, 1GiB, 65536KiB or a number of bytes, found "12 parsecs""#),
        Case(yaml: "memory_limit: 0MiB\n",
             message: #"orders.yaml: memory_limit: expected a size such as 512MiB, 1GiB, 65536KiB or a number of bytes, found "0MiB""#),
        Case(yaml: "nice: 20\n", message: #"orders.yaml: nice: expected an integer from 0 to 19, found "20""#),
        Case(yaml: "dead_letter_topic: \"\"\n",
             message: #"orders.yaml: dead_letter_topic: expected a topic name (1 to 249 characters of a-z A-Z 0-9 . _ -), found """#),
    ]

    @Test(arguments: sidecarCases)
    func sidecarMistake(_ mistake: Case) throws {
        let error = #expect(throws: ConfigurationError.self) {
            try ConfigurationLoader.parseAgent(yaml: mistake.yaml, name: "orders.yaml", defaults: AgentSettings())
        }
        #expect(error?.description == mistake.message)
    }

    @Test func errorFieldsAreStructured() {
        let error = #expect(throws: ConfigurationError.self) {
            try ConfigurationLoader.parseHost(yaml: "defaults:\n  retry:\n    max_attempts: abc\n", name: "sluice.yaml", environment: [:])
        }
        #expect(error == ConfigurationError(file: "sluice.yaml", key: "defaults.retry.max_attempts",
                                            expected: "a positive integer", found: #""abc""#))
    }

    @Test func descriptionLeavesOutAbsentParts() {
        #expect(ConfigurationError(file: nil, key: "SLUICE_WORKERS", expected: "x", found: nil).description
            == "SLUICE_WORKERS: expected x")
        #expect(ConfigurationError(file: "f.yaml", key: "", expected: "x", found: "y").description == "f.yaml: expected x, found y")
    }
}
