/// Where the broker stored a produced record.
public struct RecordPlacement: Sendable, Equatable {
    /// The partition it went to.
    public let partition: Int32
    /// Its offset in that partition (-1 when the broker did not say).
    public let offset: Int64

    /// A stored record's place.
    public init(partition: Int32, offset: Int64) {
        self.partition = partition
        self.offset = offset
    }
}
