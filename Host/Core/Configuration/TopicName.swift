/// Kafka's rules for topic names (kafka.common.internals.Topic.validate).
enum TopicName {
    /// Whether Kafka accepts `name` as a topic.
    static func isValid(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 249 && name != "." && name != ".."
            && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }
    }
}
