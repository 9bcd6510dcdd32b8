import Foundation

/// One ``RecordEncoder`` an instance lends to ``AgentContext/produce(topic:key:json:headers:partition:)``
/// for every value it produces, so producing JSON costs no encoder and no
/// output buffer per record: the encoder writes into its kept buffer and the
/// host copies the bytes. Code that produces from several child tasks at
/// once finds it lent out and gets an encoder of its own.
final class ReusableRecordEncoder: @unchecked Sendable {
    // @unchecked: `idle` is guarded by `lock`; a lent encoder is used by one caller at a time.
    private let lock = NSLock()
    private var idle: RecordEncoder?

    init() {
        idle = RecordEncoder()
    }

    /// Calls `body` with the idle encoder (or a new one when it is lent out)
    /// and takes it back afterwards.
    func withEncoder<Result>(_ body: (RecordEncoder) throws -> Result) rethrows -> Result {
        let encoder = lock.withLock { idle.take() } ?? RecordEncoder()
        defer { lock.withLock { idle = encoder } }
        return try body(encoder)
    }
}
