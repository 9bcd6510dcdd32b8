/// Rules for the librdkafka properties the configuration passes through.
enum KafkaProperties {
    /// Properties the host sets itself; configuring them would break it, so
    /// each names the setting to use instead.
    static let reserved: [String: String] = [
        "bootstrap.servers": "set broker instead",
        "group.id": "set group, or an agent's group, instead",
        "enable.auto.offset.store": "the host stores offsets itself",
        "enable.auto.commit": "the host commits offsets itself; see commit_interval",
    ]

    /// How a property value must look.
    static let valueShape = "a string, number or boolean"

    /// Fails for an empty or reserved property name.
    static func checkName(_ property: String, file: String?, key: String) throws(ConfigurationError) {
        guard !property.isEmpty else {
            throw ConfigurationError(file: file, key: key, expected: "a librdkafka property name", found: "an empty name")
        }
        if let reason = reserved[property] {
            throw ConfigurationError(file: file, key: key,
                                     expected: "a librdkafka property the host does not manage (\(reason))",
                                     found: ConfigurationError.quoted(property))
        }
    }
}
