/// `SLUICE_*` environment variables, applied after sluice.yaml. Errors name
/// the variable (as the key) and no file. Variables with the prefix that are
/// not listed here are ignored: other tools (and the CLI itself, e.g. for
/// the path of the configuration file) may use the same prefix.
enum EnvironmentOverrides {
    /// The prefix of every variable.
    static let prefix = "SLUICE_"
    /// The prefix of librdkafka properties: `SLUICE_KAFKA_SASL_PASSWORD` → `sasl.password`.
    static let kafkaPrefix = "SLUICE_KAFKA_"

    /// The variables with a fixed name, in the order they are documented.
    static let variables = [
        "SLUICE_BROKER", "SLUICE_PLUGINS_DIRECTORY", "SLUICE_DATA_DIRECTORY", "SLUICE_GROUP",
        "SLUICE_WORKERS", "SLUICE_LOG_LEVEL", "SLUICE_COMMIT_INTERVAL", "SLUICE_SHUTDOWN_TIMEOUT",
        "SLUICE_ADMIN_HOST", "SLUICE_ADMIN_PORT", "SLUICE_ADMIN_TOKEN", "SLUICE_ADMIN_TOKEN_FILE",
    ]

    /// Applies every recognised variable of `environment` to `configuration`,
    /// in sorted order so the first error reported is always the same.
    static func apply(_ environment: [String: String], to configuration: inout HostConfiguration) throws(ConfigurationError) {
        let home = HostConfiguration.homeDirectory(environment: environment)
        for name in environment.keys.sorted() where name.hasPrefix(prefix) {
            let text = environment[name]!
            func read<Value>(_ rule: ValueRule<Value>) throws(ConfigurationError) -> Value {
                guard let value = rule.parse(text) else {
                    let found = SecretKeys.isSecret(name) ? nil : ConfigurationError.quoted(text)
                    throw ConfigurationError(file: nil, key: name, expected: rule.expected, found: found)
                }
                return value
            }
            switch name {
            case "SLUICE_BROKER":
                configuration.broker = try BrokerAddress.parse(text, file: nil, key: name)
            case "SLUICE_PLUGINS_DIRECTORY":
                configuration.pluginsDirectory = try read(.path(home: home))
            case "SLUICE_DATA_DIRECTORY":
                configuration.dataDirectory = try read(.path(home: home))
            case "SLUICE_GROUP":
                configuration.group = try read(.nonEmpty("a non-empty consumer group prefix"))
            case "SLUICE_WORKERS":
                configuration.workers = try read(.integer(HostConfigurationReader.workersRange))
            case "SLUICE_LOG_LEVEL":
                configuration.logLevel = try read(.logLevel)
            case "SLUICE_COMMIT_INTERVAL":
                configuration.commitInterval = try read(.duration(allowZero: false))
            case "SLUICE_SHUTDOWN_TIMEOUT":
                configuration.shutdownTimeout = try read(.duration(allowZero: true))
            case "SLUICE_ADMIN_HOST":
                configuration.admin.host = try read(.nonEmpty("a non-empty host name or address"))
            case "SLUICE_ADMIN_PORT":
                configuration.admin.port = try read(.integer(HostConfigurationReader.portRange))
            case "SLUICE_ADMIN_TOKEN":
                configuration.admin.token = try read(.nonEmpty("a non-empty token"))
            case "SLUICE_ADMIN_TOKEN_FILE":
                configuration.admin.tokenFile = try read(.path(home: home))
            default:
                guard name.hasPrefix(kafkaPrefix) else { continue }  // someone else's variable
                let property = kafkaProperty(fromVariable: name)
                try KafkaProperties.checkName(property, file: nil, key: name)
                configuration.kafka[property] = text
            }
        }
    }

    /// `SLUICE_KAFKA_SASL_PASSWORD` → `sasl.password`.
    static func kafkaProperty(fromVariable name: String) -> String {
        String(name.dropFirst(kafkaPrefix.count)).lowercased().replacingOccurrences(of: "_", with: ".")
    }
}
