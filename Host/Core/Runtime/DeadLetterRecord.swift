import CSluicePlugin

/// Builds the record a dead-lettered message becomes: its original key, value
/// and headers, plus headers saying why and where it came from, so nothing is
/// lost and an operator can replay it.
enum DeadLetterRecord {
    /// Header names, all prefixed `sluice.` to stay clear of the application's.
    enum HeaderName {
        static let error = "sluice.error"
        static let sourceTopic = "sluice.source.topic"
        static let sourcePartition = "sluice.source.partition"
        static let sourceOffset = "sluice.source.offset"
        static let agent = "sluice.agent"
        static let pluginVersion = "sluice.plugin.version"
        static let attempts = "sluice.attempts"
        static let valueOmitted = "sluice.value.omitted"
    }

    /// `record` without its value, for a dead letter the producer refused as too
    /// large: the header says so and how large it was; the original stays at
    /// its source topic, partition and offset.
    static func withoutValue(_ record: OutgoingRecord) -> OutgoingRecord {
        var smaller = record
        smaller.value = nil
        smaller.headers.append(.init(name: HeaderName.valueOmitted, text:
            "the value (\(record.value?.count ?? 0) bytes) is larger than the producer accepts (message.max.bytes); "
            + "read it at sluice.source.topic, sluice.source.partition and sluice.source.offset"))
        return smaller
    }

    static func make(message: sluice_message, source: TopicPartition, topic: String, reason: String,
                     agent: String, pluginVersion: String, attempts: UInt32) -> OutgoingRecord {
        var headers: [OutgoingRecord.Header] = (0..<message.header_count).map { index in
            let header = message.headers[index]
            let name = String(decoding: UnsafeRawBufferPointer(start: header.name, count: header.name_len), as: UTF8.self)
            return OutgoingRecord.Header(name: name, value: Array(UnsafeBufferPointer(start: header.value, count: header.value_len)))
        }
        headers += [
            .init(name: HeaderName.error, text: reason),
            .init(name: HeaderName.sourceTopic, text: source.topic),
            .init(name: HeaderName.sourcePartition, text: String(source.partition)),
            .init(name: HeaderName.sourceOffset, text: String(message.offset)),
            .init(name: HeaderName.agent, text: agent),
            .init(name: HeaderName.pluginVersion, text: pluginVersion),
            .init(name: HeaderName.attempts, text: String(attempts)),
        ]
        return OutgoingRecord(
            topic: topic,
            partition: nil,
            key: message.key.map { Array(UnsafeBufferPointer(start: $0, count: message.key_len)) },
            value: message.value.map { Array(UnsafeBufferPointer(start: $0, count: message.value_len)) },
            headers: headers)
    }
}
