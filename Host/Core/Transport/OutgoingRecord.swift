/// A record to produce. The host copies everything a plugin hands it into one
/// of these before the plugin's `produce` call returns.
public struct OutgoingRecord: Sendable {
    /// One header: a name and any bytes.
    public struct Header: Sendable, Equatable {
        /// The header's name.
        public var name: String
        /// The header's value.
        public var value: [UInt8]

        /// Creates a header.
        public init(name: String, value: [UInt8]) {
            self.name = name
            self.value = value
        }

        /// Creates a header whose value is UTF-8 text.
        public init(name: String, text: String) {
            self.init(name: name, value: Array(text.utf8))
        }
    }

    /// The destination topic.
    public var topic: String
    /// The destination partition, or nil to let the partitioner choose from the key.
    public var partition: Int32?
    /// The key; nil is a null key.
    public var key: [UInt8]?
    /// The value; nil is a null value (tombstone).
    public var value: [UInt8]?
    /// The headers, in order.
    public var headers: [Header]

    /// Creates a record.
    public init(topic: String, partition: Int32? = nil, key: [UInt8]?, value: [UInt8]?, headers: [Header] = []) {
        self.topic = topic
        self.partition = partition
        self.key = key
        self.value = value
        self.headers = headers
    }
}

/// Why a record could not be delivered.
public struct ProduceError: Error, Sendable, CustomStringConvertible {
    /// What the transport said.
    public let message: String
    /// The record is larger than the producer or broker accepts: sending it
    /// again unchanged can never succeed.
    public let isRecordTooLarge: Bool

    /// Creates an error.
    public init(_ message: String, isRecordTooLarge: Bool = false) {
        self.message = message
        self.isRecordTooLarge = isRecordTooLarge
    }

    public var description: String { message }
}
