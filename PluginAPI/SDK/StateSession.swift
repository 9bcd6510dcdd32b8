import Foundation

/// What one batch (records or timers) of a stateful agent uses to reach its
/// tables: the batch id every host call names, the instance's declarations,
/// and a JSON encoder and decoder kept for the batch, so a read and a write
/// per record cost no allocation beyond the value's own encoding.
final class StateSession: @unchecked Sendable {
    // @unchecked: `encoder` and `decoder` are only used with `lock` held; the
    // rest is immutable, and `slot`'s fields are only touched by the
    // partition's one running batch.
    let host: HostServices
    let batchID: UInt64
    let runtime: AgentStateRuntime
    let slot: PartitionSlot?
    private let lock = NSLock()
    private let encoder = RecordEncoder()
    private let decoder = RecordDecoder()

    init(host: HostServices, batchID: UInt64, runtime: AgentStateRuntime, slot: PartitionSlot?) {
        self.host = host
        self.batchID = batchID
        self.runtime = runtime
        self.slot = slot
    }

    /// Calls `body` with the JSON of `value`, borrowed.
    func withEncoded<V: Encodable, R>(_ value: V, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        lock.lock()
        defer { lock.unlock() }
        return try encoder.withEncoded(value, body)
    }

    /// Decodes a JSON value.
    func decode<V: Decodable>(_ type: V.Type, from bytes: UnsafeRawBufferPointer) throws -> V {
        lock.lock()
        defer { lock.unlock() }
        return try decoder.decode(type, from: bytes)
    }

    /// The partition's stream time as this instance observed it: the highest
    /// timestamp of the records it handled since the partition was assigned,
    /// or the stream time of a timer batch when higher; -1 before any.
    var streamTime: Int64 { slot?.streamTime ?? -1 }

    /// The declaration of table `name`, or the error that it is not declared.
    func declaration(of name: String, operation: String) throws(StateError) -> TableDeclaration {
        guard let declaration = runtime.tables[name] else {
            throw StateError(operation: operation, table: name, key: nil,
                             reason: "the agent does not declare this table (see Agent.tables)")
        }
        return declaration
    }
}
