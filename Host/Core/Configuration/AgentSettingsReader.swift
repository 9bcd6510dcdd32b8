import Yams

/// Reads the keys of a sidecar (or of sluice.yaml's `defaults:`) over a
/// starting `AgentSettings`: keys present replace values, absent keys keep them.
enum AgentSettingsReader {
    /// Every key a sidecar may hold.
    static let keys = [
        "plugin", "enabled", "topics", "group", "batch_size", "max_in_flight", "batch_timeout", "inline_below",
        "retry", "on_exhausted", "dead_letter_topic", "isolation", "memory_limit", "nice", "config",
    ]
    /// Every key of `retry:`.
    static let retryKeys = ["max_attempts", "initial_backoff", "max_backoff", "multiplier", "jitter"]

    /// Most records one batch may carry.
    static let batchSizeRange = 1...100_000
    /// Most records one agent may hold unfinished.
    static let maxInFlightRange = 1...10_000_000

    /// `mapping` applied over `settings`, with cross-key checks
    /// (`max_in_flight ≥ batch_size`, `max_backoff ≥ initial_backoff`).
    static func read(_ mapping: YAMLMapping, over settings: AgentSettings) throws(ConfigurationError) -> AgentSettings {
        try mapping.requireKnownKeys(keys)
        var result = settings
        if let plugin = try mapping.value("plugin", .pluginName) { result.plugin = plugin }
        if let enabled = try mapping.value("enabled", .boolean) { result.enabled = enabled }
        if let topics = try mapping.optionalList("topics", expected: "a list of topic names", .topicName) {
            if let topics, topics.isEmpty {
                throw ConfigurationError(file: mapping.file, key: mapping.keyPath("topics"),
                                         expected: "at least one topic (or null for the plugin's default topics)",
                                         found: "an empty list")
            }
            result.topics = topics
        }
        if let group = try mapping.optionalValue("group", .nonEmpty("a non-empty consumer group name")) {
            result.group = group
        }
        if let size = try mapping.value("batch_size", .integer(batchSizeRange)) { result.batchSize = size }
        if let limit = try mapping.value("max_in_flight", .integer(maxInFlightRange)) { result.maxInFlight = limit }
        if let timeout = try mapping.value("batch_timeout", .duration(allowZero: false)) { result.batchTimeout = timeout }
        if let limit = try mapping.value("inline_below", .duration(allowZero: true)) { result.inlineBelow = limit }
        if let retry = try mapping.mapping("retry") { result.retry = try readRetry(retry, over: result.retry) }
        if let policy = try mapping.value("on_exhausted", .failurePolicy) { result.onExhausted = policy }
        if let topic = try mapping.optionalValue("dead_letter_topic", .topicName) { result.deadLetterTopic = topic }
        if let mode = try mapping.value("isolation", .isolationMode) { result.isolation = mode }
        if let limit = try mapping.optionalValue("memory_limit", .byteSize) { result.memoryLimit = limit }
        if let nice = try mapping.value("nice", .integer(0...19)) { result.nice = nice }
        if let node = mapping["config"] {
            result.config = try readConfig(node, file: mapping.file, key: mapping.keyPath("config"))
        }
        if result.maxInFlight < result.batchSize {
            // Blame the key this file set; if it set both, max_in_flight.
            if mapping.contains("max_in_flight") || !mapping.contains("batch_size") {
                throw ConfigurationError(file: mapping.file, key: mapping.keyPath("max_in_flight"),
                                         expected: "an integer of at least batch_size (\(result.batchSize))",
                                         found: ConfigurationError.quoted(String(result.maxInFlight)))
            }
            throw ConfigurationError(file: mapping.file, key: mapping.keyPath("batch_size"),
                                     expected: "an integer of at most max_in_flight (\(result.maxInFlight))",
                                     found: ConfigurationError.quoted(String(result.batchSize)))
        }
        return result
    }

    /// `retry:` applied over `policy`.
    static func readRetry(_ mapping: YAMLMapping, over policy: RetryPolicy) throws(ConfigurationError) -> RetryPolicy {
        try mapping.requireKnownKeys(retryKeys)
        var result = policy
        if let attempts = try mapping.value("max_attempts", .integer(1...Int.max)) { result.maxAttempts = attempts }
        if let initial = try mapping.value("initial_backoff", .duration(allowZero: true)) { result.initialBackoff = initial }
        if let maximum = try mapping.value("max_backoff", .duration(allowZero: true)) { result.maxBackoff = maximum }
        if let multiplier = try mapping.value("multiplier", .number(1...1000)) { result.multiplier = multiplier }
        if let jitter = try mapping.value("jitter", .number(0...1)) { result.jitter = jitter }
        if result.maxBackoff < result.initialBackoff {
            let blamed = mapping.contains("max_backoff") || !mapping.contains("initial_backoff") ? "max_backoff" : "initial_backoff"
            let expected = blamed == "max_backoff"
                ? "a duration of at least initial_backoff (\(DurationText.format(result.initialBackoff)))"
                : "a duration of at most max_backoff (\(DurationText.format(result.maxBackoff)))"
            let found = blamed == "max_backoff" ? result.maxBackoff : result.initialBackoff
            throw ConfigurationError(file: mapping.file, key: mapping.keyPath(blamed), expected: expected,
                                     found: ConfigurationError.quoted(DurationText.format(found)))
        }
        return result
    }

    /// `config:` must be a mapping (null: empty): the plugin receives a JSON object.
    static func readConfig(_ node: Node, file: String?, key: String) throws(ConfigurationError) -> ConfigValue {
        if YAMLMapping.isNull(node) { return .object([:]) }
        guard case .mapping = node else {
            throw ConfigurationError(file: file, key: key, expected: "a mapping (the plugin's configuration)",
                                     found: YAMLMapping.describe(node, secret: false))
        }
        return try ConfigValue.from(node, file: file, key: key)
    }
}
