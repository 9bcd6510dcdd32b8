import Foundation
import SluiceHost

/// One record `sluice try` prints: where it is, and its key, value and
/// headers as text (bytes that are not UTF-8 as base64, in `*_base64` fields).
struct PluginTrialRecord: Encodable {
    let topic: String
    let partition: Int32
    let offset: Int64
    let key: String?
    let keyBase64: String?
    let value: String?
    let valueBase64: String?
    let headers: [String: String]

    /// The line for `record`, stored at `partition` of `topic`.
    init(topic: String, partition: Int32, record: StoredRecord) {
        self.topic = topic
        self.partition = partition
        offset = record.offset
        (key, keyBase64) = Self.text(record.key)
        (value, valueBase64) = Self.text(record.value)
        // The last header of a name wins, as in the admin API's record shape.
        headers = Dictionary(record.headers.map { ($0.name, String(decoding: $0.value, as: UTF8.self)) },
                             uniquingKeysWith: { _, last in last })
    }

    /// A record of text key and value and no headers (what a scaffold's test expects).
    init(topic: String, partition: Int32, offset: Int64, key: String, value: String) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.key = key
        keyBase64 = nil
        self.value = value
        valueBase64 = nil
        headers = [:]
    }

    /// UTF-8 text, or else base64; nil and nil for a null field.
    private static func text(_ bytes: [UInt8]?) -> (String?, String?) {
        guard let bytes else { return (nil, nil) }
        if let text = String(validating: bytes, as: UTF8.self) { return (text, nil) }
        return (nil, Data(bytes).base64EncodedString())
    }

    // Absent base64 fields are left out; a null key or value prints as null.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(topic, forKey: .topic)
        try container.encode(partition, forKey: .partition)
        try container.encode(offset, forKey: .offset)
        if let keyBase64 { try container.encode(keyBase64, forKey: .keyBase64) } else { try container.encode(key, forKey: .key) }
        if let valueBase64 { try container.encode(valueBase64, forKey: .valueBase64) } else { try container.encode(value, forKey: .value) }
        try container.encode(headers, forKey: .headers)
    }

    private enum CodingKeys: String, CodingKey {
        case topic, partition, offset, key, value, headers
        case keyBase64 = "key_base64"
        case valueBase64 = "value_base64"
    }
}
