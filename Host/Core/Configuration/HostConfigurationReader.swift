import Yams

/// Reads the top level of sluice.yaml over a starting `HostConfiguration`.
enum HostConfigurationReader {
    /// Every top-level key of sluice.yaml.
    static let keys = [
        "broker", "plugins_directory", "data_directory", "group", "workers", "log_level",
        "commit_interval", "shutdown_timeout", "memory", "kafka", "admin", "defaults",
        "plugin_environment", "trusted_group", "tracing",
    ]
    /// Every key of `memory:`.
    static let memoryKeys = ["partitions", "topics"]
    /// Every key of `admin:`.
    static let adminKeys = ["host", "port", "token", "token_file", "request_head_timeout", "idle_timeout", "max_connections"]

    /// Every key of `tracing:`.
    static let tracingKeys = ["enabled", "endpoint", "service_name", "sample_ratio"]

    /// Worker threads the host accepts.
    static let workersRange = 1...1024
    /// Partitions a memory topic may have.
    static let partitionsRange = 1...1024
    /// Listen ports; 0 asks the OS for a free one.
    static let portRange = 0...65535
    /// Concurrent admin connections the host allows.
    static let maxConnectionsRange = 1...4096

    /// `mapping` (the whole file) applied over `configuration`.
    static func read(_ mapping: YAMLMapping, over configuration: HostConfiguration,
                     home: String) throws(ConfigurationError) -> HostConfiguration {
        try mapping.requireKnownKeys(keys)
        var result = configuration
        if let text = try mapping.value("broker", .nonEmpty(BrokerAddress.shape)) {
            result.broker = try BrokerAddress.parse(text, file: mapping.file, key: mapping.keyPath("broker"))
        }
        if let path = try mapping.value("plugins_directory", .path(home: home)) { result.pluginsDirectory = path }
        if let path = try mapping.value("data_directory", .path(home: home)) { result.dataDirectory = path }
        if let group = try mapping.value("group", .nonEmpty("a non-empty consumer group prefix")) { result.group = group }
        if let workers = try mapping.value("workers", .integer(workersRange)) { result.workers = workers }
        if let level = try mapping.value("log_level", .logLevel) { result.logLevel = level }
        if let interval = try mapping.value("commit_interval", .duration(allowZero: false)) { result.commitInterval = interval }
        if let timeout = try mapping.value("shutdown_timeout", .duration(allowZero: true)) { result.shutdownTimeout = timeout }
        if let memory = try mapping.mapping("memory") { result.memory = try readMemory(memory, over: result.memory) }
        if let kafka = try mapping.mapping("kafka") {
            for (property, value) in try readKafka(kafka) { result.kafka[property] = value }
        }
        if let admin = try mapping.mapping("admin") { result.admin = try readAdmin(admin, over: result.admin, home: home) }
        if let tracing = try mapping.mapping("tracing") { result.tracing = try readTracing(tracing, over: result.tracing) }
        if let defaults = try mapping.mapping("defaults") {
            // Which plugin an agent runs is the sidecar's to say, never a default.
            if defaults.contains("plugin") {
                throw ConfigurationError(file: defaults.file, key: defaults.keyPath("plugin"),
                                         expected: "no plugin key (a sidecar names its plugin with plugin:)",
                                         found: "a default plugin")
            }
            result.agentDefaults = try AgentSettingsReader.read(defaults, over: result.agentDefaults)
        }
        if let names = try mapping.optionalList("plugin_environment", expected: "a list of environment variable names",
                                                pluginVariable) {
            result.pluginEnvironment = names ?? []
        }
        if let group = try mapping.optionalValue("trusted_group", trustedGroupRule) { result.trustedGroup = group }
        return result
    }

    /// A variable a plugin may read: a variable name the host does not read itself.
    static var pluginVariable: ValueRule<String> {
        ValueRule(expected: "an environment variable name ([A-Za-z_][A-Za-z0-9_]*) that the host does not read itself") { text in
            PluginEnvironmentRule.isVariableName(text) && !PluginEnvironmentRule.isHostVariable(text) ? text : nil
        }
    }

    /// A group name or gid that exists on this machine.
    static var trustedGroupRule: ValueRule<UInt32> {
        ValueRule(expected: "the name or gid of an existing group") { PluginTrust.groupID($0) }
    }

    /// `memory:` over `settings`; `topics` maps topic names to partition counts.
    static func readMemory(_ mapping: YAMLMapping, over settings: MemoryTransportSettings) throws(ConfigurationError) -> MemoryTransportSettings {
        try mapping.requireKnownKeys(memoryKeys)
        var result = settings
        if let partitions = try mapping.value("partitions", .integer(partitionsRange)) { result.partitions = partitions }
        if let topics = try mapping.mapping("topics") {
            for (topic, _) in topics.entries where !TopicName.isValid(topic) {
                throw ConfigurationError(file: mapping.file, key: topics.keyPath(topic),
                                         expected: ValueRule<String>.topicName.expected,
                                         found: ConfigurationError.quoted(topic))
            }
            for (topic, _) in topics.entries {
                result.topics[topic] = try topics.value(topic, .integer(partitionsRange))
            }
        }
        return result
    }

    /// `admin:` over `settings`; `token: null` (or `token_file: null`) removes the token.
    static func readAdmin(_ mapping: YAMLMapping, over settings: AdminSettings,
                          home: String) throws(ConfigurationError) -> AdminSettings {
        try mapping.requireKnownKeys(adminKeys)
        var result = settings
        if let host = try mapping.value("host", .nonEmpty("a non-empty host name or address")) { result.host = host }
        if let port = try mapping.value("port", .integer(portRange)) { result.port = port }
        if let token = try mapping.optionalValue("token", .nonEmpty("a non-empty token")) { result.token = token }
        if let file = try mapping.optionalValue("token_file", .path(home: home)) { result.tokenFile = file }
        if let timeout = try mapping.value("request_head_timeout", .duration(allowZero: false)) { result.requestHeadTimeout = timeout }
        if let timeout = try mapping.value("idle_timeout", .duration(allowZero: false)) { result.idleTimeout = timeout }
        if let count = try mapping.value("max_connections", .integer(maxConnectionsRange)) { result.maxConnections = count }
        return result
    }

    /// `tracing:` over `settings`; `endpoint: null` removes the endpoint.
    static func readTracing(_ mapping: YAMLMapping, over settings: TracingSettings) throws(ConfigurationError) -> TracingSettings {
        try mapping.requireKnownKeys(tracingKeys)
        var result = settings
        if let enabled = try mapping.value("enabled", .boolean) { result.enabled = enabled }
        if let endpoint = try mapping.optionalValue("endpoint", otlpEndpoint) { result.endpoint = endpoint }
        if let name = try mapping.value("service_name", .nonEmpty("a non-empty service name")) { result.serviceName = name }
        if let ratio = try mapping.value("sample_ratio", .number(0...1)) { result.sampleRatio = ratio }
        return result
    }

    /// An OTLP/HTTP base URL: `http://` or `https://` and a host.
    static var otlpEndpoint: ValueRule<String> {
        ValueRule(expected: "an http:// or https:// URL such as http://127.0.0.1:4318") { text in
            for scheme in ["http://", "https://"] where text.hasPrefix(scheme) && text.count > scheme.count {
                return text
            }
            return nil
        }
    }

    /// `kafka:`: librdkafka properties, each a scalar, stringified (YAML
    /// booleans become `true`/`false`, numbers keep their text).
    static func readKafka(_ mapping: YAMLMapping) throws(ConfigurationError) -> [String: String] {
        var properties: [String: String] = [:]
        for (property, node) in mapping.entries {
            let key = mapping.keyPath(property)
            try KafkaProperties.checkName(property, file: mapping.file, key: key)
            guard case .scalar(let scalar) = node, !YAMLMapping.isNull(node) else {
                throw ConfigurationError(file: mapping.file, key: key, expected: KafkaProperties.valueShape,
                                         found: YAMLMapping.describe(node, secret: SecretKeys.isSecret(property)))
            }
            properties[property] = node.resolvedTagName == .bool ? (node.bool.map { $0 ? "true" : "false" } ?? scalar.string) : scalar.string
        }
        return properties
    }
}
