import SluiceHost
import Testing

/// `SLUICE_*` variables and their place in the precedence order.
@Suite struct EnvironmentOverrideTests {
    @Test func everyVariableOverridesItsKey() throws {
        let environment = [
            "HOME": "/home/ada",
            "SLUICE_BROKER": "kafka://k1:9092,k2:9092",
            "SLUICE_PLUGINS_DIRECTORY": "~/agents",
            "SLUICE_DATA_DIRECTORY": "/var/lib/sluice",
            "SLUICE_GROUP": "prod",
            "SLUICE_WORKERS": "12",
            "SLUICE_LOG_LEVEL": "WARNING",
            "SLUICE_COMMIT_INTERVAL": "5s",
            "SLUICE_SHUTDOWN_TIMEOUT": "0",
            "SLUICE_ADMIN_HOST": "::",
            "SLUICE_ADMIN_PORT": "7000",
            "SLUICE_ADMIN_TOKEN": "t0ken",
            "SLUICE_ADMIN_TOKEN_FILE": "~/.sluice-token",
            "SLUICE_KAFKA_SASL_PASSWORD": "pw",
            "SLUICE_KAFKA_FETCH_WAIT_MAX_MS": "10",
        ]
        let configuration = try ConfigurationLoader.loadHost(file: nil, environment: environment)
        #expect(configuration.broker == .kafka(["k1:9092", "k2:9092"]))
        #expect(configuration.pluginsDirectory == "/home/ada/agents")
        #expect(configuration.dataDirectory == "/var/lib/sluice")
        #expect(configuration.group == "prod")
        #expect(configuration.workers == 12)
        #expect(configuration.logLevel == .warning)
        #expect(configuration.commitInterval == .seconds(5))
        #expect(configuration.shutdownTimeout == .zero)
        #expect(configuration.admin.host == "::")
        #expect(configuration.admin.port == 7000)
        #expect(configuration.admin.token == "t0ken")
        #expect(configuration.admin.tokenFile == "/home/ada/.sluice-token")
        #expect(configuration.kafka == ["sasl.password": "pw", "fetch.wait.max.ms": "10"])
    }

    @Test func environmentBeatsTheFileWhichBeatsTheDefaults() throws {
        let yaml = """
            group: from-file
            workers: 2
            kafka:
              linger.ms: 5
              acks: all
            admin:
              port: 8000
            """
        let configuration = try ConfigurationLoader.parseHost(
            yaml: yaml, name: "sluice.yaml",
            environment: ["SLUICE_WORKERS": "4", "SLUICE_KAFKA_LINGER_MS": "20", "HOME": "/h"])
        #expect(configuration.group == "from-file")          // file over default
        #expect(configuration.workers == 4)                  // environment over file
        #expect(configuration.kafka == ["linger.ms": "20", "acks": "all"])  // merged per property
        #expect(configuration.admin.port == 8000)
        #expect(configuration.admin.host == "127.0.0.1")     // default kept
        #expect(configuration.logLevel == .info)
    }

    @Test func unknownSluiceVariablesAreIgnored() throws {
        let configuration = try ConfigurationLoader.loadHost(
            file: nil, environment: ["SLUICE_CONFIG": "/etc/sluice.yaml", "SLUICE_FUTURE_SETTING": "x", "HOME": "/h"])
        #expect(configuration == HostConfiguration(environment: ["HOME": "/h"]))
    }

    /// A variable's value and the message it must produce.
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let value: String
        let message: String
        var testDescription: String { name }
    }

    static let mistakes: [Case] = [
        Case(name: "SLUICE_WORKERS", value: "many", message: #"SLUICE_WORKERS: expected an integer from 1 to 1024, found "many""#),
        Case(name: "SLUICE_BROKER", value: "kafka://host", message: #"SLUICE_BROKER: expected a port after the host (kafka://host:9092), found "kafka://host""#),
        Case(name: "SLUICE_LOG_LEVEL", value: "loud",
             message: #"SLUICE_LOG_LEVEL: expected one of trace, debug, info, notice, warning, error, critical, found "loud""#),
        Case(name: "SLUICE_COMMIT_INTERVAL", value: "1 s",
             message: #"SLUICE_COMMIT_INTERVAL: expected a positive duration such as 250ms, 1s, 2m or 1h, found "1 s""#),
        Case(name: "SLUICE_ADMIN_PORT", value: "-1", message: #"SLUICE_ADMIN_PORT: expected an integer from 0 to 65535, found "-1""#),
        Case(name: "SLUICE_ADMIN_TOKEN", value: "", message: "SLUICE_ADMIN_TOKEN: expected a non-empty token"),
        Case(name: "SLUICE_GROUP", value: "", message: #"SLUICE_GROUP: expected a non-empty consumer group prefix, found """#),
        Case(name: "SLUICE_KAFKA_GROUP_ID", value: "g",
             message: #"SLUICE_KAFKA_GROUP_ID: expected a librdkafka property the host does not manage (set group, or an agent's group, instead), found "group.id""#),
        Case(name: "SLUICE_KAFKA_", value: "x", message: "SLUICE_KAFKA_: expected a librdkafka property name, found an empty name"),
    ]

    @Test(arguments: mistakes)
    func badVariable(_ mistake: Case) {
        let error = #expect(throws: ConfigurationError.self) {
            try ConfigurationLoader.loadHost(file: nil, environment: [mistake.name: mistake.value])
        }
        #expect(error?.description == mistake.message)
        #expect(error?.file == nil)
        #expect(error?.key == mistake.name)
    }

    @Test func brokerParsingOnItsOwnUsesTheKeyBroker() {
        let error = #expect(throws: ConfigurationError.self) { try BrokerAddress(parsing: "redis://x") }
        #expect(error == ConfigurationError(file: nil, key: "broker",
                                            expected: "memory:// or kafka://host:port[,host:port...]", found: #""redis://x""#))
    }
}
