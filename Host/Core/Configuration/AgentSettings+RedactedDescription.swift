import SluicePluginKit

extension AgentSettings {
    /// The settings for logs, as sidecar text: secret-looking keys of the
    /// plugin's `config` replaced by `"<redacted>"`. Without secrets the text
    /// reads back (`ConfigurationLoader.parseAgent`) to an equal value.
    public var redactedDescription: String {
        redactedLines.joined(separator: "\n") + "\n"
    }

    /// ``redactedDescription`` that also redacts the keys the plugin's
    /// `config_schema` marks `"writeOnly": true` (``SecretRedaction/secretKeys(inSchema:)``),
    /// whatever their names.
    public func redactedDescription(configSchema: String?) -> String {
        guard let configSchema else { return redactedDescription }
        var settings = self
        settings.config = config.redacted(secretKeys: SecretRedaction.secretKeys(inSchema: configSchema))
        return settings.redactedDescription
    }

    /// One line per key, unindented; `config` as a JSON flow mapping (JSON is YAML).
    var redactedLines: [String] {
        [
            "enabled: \(enabled)",
            "topics: \(topics.map { "[" + $0.map(JSONText.quoted).joined(separator: ", ") + "]" } ?? "null")",
            "group: \(group.map(JSONText.quoted) ?? "null")",
            "batch_size: \(batchSize)",
            "max_in_flight: \(maxInFlight)",
            "batch_timeout: \(DurationText.format(batchTimeout))",
            "inline_below: \(DurationText.format(inlineBelow))",
            "retry:",
            "  max_attempts: \(retry.maxAttempts)",
            "  initial_backoff: \(DurationText.format(retry.initialBackoff))",
            "  max_backoff: \(DurationText.format(retry.maxBackoff))",
            "  multiplier: \(JSONText.number(retry.multiplier))",
            "  jitter: \(JSONText.number(retry.jitter))",
            "on_exhausted: \(onExhausted.rawValue)",
            "dead_letter_topic: \(deadLetterTopic.map(JSONText.quoted) ?? "null")",
            "isolation: \(isolation.rawValue)",
            "memory_limit: \(memoryLimit.map(ByteSizeText.format) ?? "null")",
            "nice: \(nice)",
            "config: \(config.redactedJSONText)",
        ]
    }
}
