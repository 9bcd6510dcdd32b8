import Foundation

/// The ``RecordEncoder``s an instance lends to ``AgentContext/produce(topic:key:json:headers:partition:)``
/// for every value it produces, so producing JSON costs no encoder and no
/// output buffer per record: the encoder writes into its kept buffer and the
/// host copies the bytes.
///
/// The lock is held only to take an encoder or give it back, never while
/// one encodes. Batches that produce on several threads at once (the SDK
/// runs one task per partition) each take an idle encoder; a new one is made
/// only when all are lent out, and kept afterwards, so the pool holds as
/// many encoders as values were ever encoded at once.
final class ReusableRecordEncoder: @unchecked Sendable {
    // @unchecked: `idle` is guarded by `lock`; a lent encoder is used by one caller at a time.
    private let lock = NSLock()
    private var idle: [RecordEncoder]

    init() {
        idle = [RecordEncoder()]
    }

    /// Calls `body` with an idle encoder (or a new one when all are lent out)
    /// and takes it back afterwards.
    func withEncoder<Result>(_ body: (RecordEncoder) throws -> Result) rethrows -> Result {
        let encoder = take()
        defer { giveBack(encoder) }
        return try body(encoder)
    }

    /// An idle encoder (or a new one when all are lent out), lent until
    /// ``giveBack(_:)``: for a caller that encodes many values in a row.
    func take() -> RecordEncoder {
        lock.withLock { idle.popLast() } ?? RecordEncoder()
    }

    /// Returns an encoder from ``take()`` to the pool.
    func giveBack(_ encoder: RecordEncoder) {
        lock.withLock { idle.append(encoder) }
    }

    /// Encoders idle now (for tests).
    var idleCount: Int { lock.withLock { idle.count } }
}
