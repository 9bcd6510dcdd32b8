import CSluicePlugin

/// Records a plugin hands over in one `produce_batch` call: one topic, in
/// order, borrowed for the call. A producer copies what it keeps.
public struct BorrowedRecordBatch {
    /// The destination topic of every record.
    public let topic: String
    /// The records as the plugin passed them.
    let records: UnsafeBufferPointer<sluice_produce_record>

    /// Wraps `records`, valid for the duration of the plugin's call.
    init(topic: String, records: UnsafeBufferPointer<sluice_produce_record>) {
        self.topic = topic
        self.records = records
    }

    /// How many records there are.
    public var count: Int { records.count }

    /// Record `index` copied into an ``OutgoingRecord`` (for producers without a batch path).
    public func outgoing(at index: Int) -> OutgoingRecord {
        OutgoingRecord(topic: topic, copying: records[index])
    }
}

extension OutgoingRecord {
    /// A copy of a record a plugin passed (`produce`'s arguments or one of
    /// `produce_batch`'s records), whose pointers are valid for the call only.
    init(topic: String, copying record: sluice_produce_record) {
        var headers: [Header] = []
        if let pointer = record.headers, record.header_count > 0 {
            headers.reserveCapacity(record.header_count)
            for header in UnsafeBufferPointer(start: pointer, count: record.header_count) {
                headers.append(Header(
                    name: header.name.map { String(decoding: UnsafeRawBufferPointer(start: $0, count: header.name_len), as: UTF8.self) } ?? "",
                    value: header.value.map { Array(UnsafeBufferPointer(start: $0, count: header.value_len)) } ?? []))
            }
        }
        self.init(topic: topic,
                  partition: record.partition >= 0 ? record.partition : nil,
                  key: record.key.map { Array(UnsafeBufferPointer(start: $0, count: record.key_len)) },
                  value: record.value.map { Array(UnsafeBufferPointer(start: $0, count: record.value_len)) },
                  headers: headers)
    }
}
