import SluicePluginKit

extension HostConfiguration {
    /// The configuration for logs, as sluice.yaml text: secrets (kafka
    /// properties that look secret, the admin token, secret-looking keys of
    /// the defaults' plugin config) replaced by `"<redacted>"`. Without secrets
    /// the text reads back (`ConfigurationLoader.parseHost`) to an equal value.
    public var redactedDescription: String {
        var lines = [
            "broker: \(JSONText.quoted(broker.description))",
            "plugins_directory: \(JSONText.quoted(pluginsDirectory))",
            "data_directory: \(JSONText.quoted(dataDirectory))",
            "group: \(JSONText.quoted(group))",
            "workers: \(workers)",
            "log_level: \(logLevel.rawValue)",
            "commit_interval: \(DurationText.format(commitInterval))",
            "shutdown_timeout: \(DurationText.format(shutdownTimeout))",
            "memory:",
            "  partitions: \(memory.partitions)",
        ]
        lines.append(memory.topics.isEmpty ? "  topics: {}" : "  topics:")
        for topic in memory.topics.keys.sorted() {
            lines.append("    \(JSONText.quoted(topic)): \(memory.topics[topic]!)")
        }
        lines.append(kafka.isEmpty ? "kafka: {}" : "kafka:")
        for property in kafka.keys.sorted() {
            let value = SecretKeys.isSecret(property) ? SecretKeys.redacted : kafka[property]!
            lines.append("  \(JSONText.quoted(property)): \(JSONText.quoted(value))")
        }
        lines += [
            "admin:",
            "  host: \(JSONText.quoted(admin.host))",
            "  port: \(admin.port)",
            "  token: \(admin.token == nil ? "null" : JSONText.quoted(SecretKeys.redacted))",
            "  token_file: \(admin.tokenFile.map(JSONText.quoted) ?? "null")",
            "  request_head_timeout: \(DurationText.format(admin.requestHeadTimeout))",
            "  idle_timeout: \(DurationText.format(admin.idleTimeout))",
            "  max_connections: \(admin.maxConnections)",
            "tracing:",
            "  enabled: \(tracing.enabled)",
            "  endpoint: \(tracing.endpoint.map(JSONText.quoted) ?? "null")",
            "  service_name: \(JSONText.quoted(tracing.serviceName))",
            "  sample_ratio: \(tracing.sampleRatio)",
            "defaults:",
        ]
        lines += agentDefaults.redactedLines.map { "  " + $0 }
        lines.append("plugin_environment: [\(pluginEnvironment.map(JSONText.quoted).joined(separator: ", "))]")
        lines.append("trusted_group: \(trustedGroup.map(String.init) ?? "null")")
        return lines.joined(separator: "\n") + "\n"
    }
}
