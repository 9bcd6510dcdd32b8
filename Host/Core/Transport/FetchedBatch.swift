import CSluicePlugin

/// Consecutive records of one partition, fetched by a consumer, in ascending
/// offset order.
///
/// The messages are C structs (`sluice_message`) ready to hand to a plugin: the
/// transport fills them with pointers into payload memory that `payloadOwner`
/// keeps alive, so nothing is copied per message. The batch lives until its
/// records are finished (retries included), then both are released.
public final class FetchedBatch: @unchecked Sendable {
    // @unchecked: the message array is written once by the transport before the
    // batch is published and only read afterwards.

    /// Where the records come from.
    public let source: TopicPartition
    /// The messages, owned by this batch.
    public let messages: UnsafeMutableBufferPointer<sluice_message>
    /// Keeps the memory the messages point into alive (transport-specific).
    public let payloadOwner: AnyObject?

    /// Takes ownership of `messages` (allocated with `allocate(capacity:)`).
    public init(source: TopicPartition, messages: UnsafeMutableBufferPointer<sluice_message>, payloadOwner: AnyObject?) {
        self.source = source
        self.messages = messages
        self.payloadOwner = payloadOwner
    }

    deinit { messages.deallocate() }

    /// Number of records.
    public var count: Int { messages.count }
    /// Offset of the first record.
    public var firstOffset: Int64 { messages[0].offset }
    /// Offset of the last record.
    public var lastOffset: Int64 { messages[messages.count - 1].offset }
}
