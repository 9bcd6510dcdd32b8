/// A typed view of one of the agent's tables during a batch (see
/// ``AgentContext/table(_:as:)``): keys are bytes (a `String` is stored as
/// its UTF-8), values are `Codable` and stored as JSON (written by
/// ``RecordEncoder``, read by ``RecordDecoder``), so operators can read them.
///
/// Reads see the table as it stands plus every earlier write of the
/// partition, the batch's own included. Writes stand only if the batch
/// finishes (see ``Agent/tables``). Every method throws ``StateError`` when
/// the host refuses (the record then retries) or a value does not decode.
public struct Table<Value: Codable>: Sendable {
    /// The table's name.
    public let name: String
    let session: StateSession?

    /// The value under `key`, or nil.
    public func get(_ key: some RecordBytes) throws -> Value? {
        let session = try checked("get")
        var result: Result<Value, any Error>?
        let found = try key.withRecordBytes { keyBytes in
            try session.host.stateGet(batchID: session.batchID, table: name, key: keyBytes) { value in
                result = Result { try session.decode(Value.self, from: value) }
            }
        }
        guard found, let result else { return nil }
        do {
            return try result.get()
        } catch {
            throw StateError(operation: "get", table: name, key: key.withRecordBytes(StateKeyText.describe),
                             reason: "the stored value is not valid JSON for \(Value.self): \(error)")
        }
    }

    /// Stores `value` under `key`.
    public func set(_ key: some RecordBytes, _ value: Value) throws {
        let session = try checked("put")
        try session.withEncoded(value) { valueBytes in
            try key.withRecordBytes { keyBytes in
                try session.host.statePut(batchID: session.batchID, table: name, key: keyBytes, value: valueBytes)
            }
        }
    }

    /// Removes `key` (a missing key is fine).
    public func delete(_ key: some RecordBytes) throws {
        let session = try checked("delete")
        try key.withRecordBytes { keyBytes in
            try session.host.statePut(batchID: session.batchID, table: name, key: keyBytes, value: nil)
        }
    }

    /// Reads `key` (or `initial` when absent), lets `body` change it, stores
    /// it and returns it: `try table.update(user, default: 0) { $0 += 1 }`.
    @discardableResult
    public func update(_ key: some RecordBytes, default initial: Value, _ body: (inout Value) throws -> Void) throws -> Value {
        var value = try get(key) ?? initial
        try body(&value)
        try set(key, value)
        return value
    }

    /// The entries with `start <= key < end` in ascending byte order (nil:
    /// unbounded), at most `limit` of them (0: all).
    public func entries(from start: [UInt8]? = nil, to end: [UInt8]? = nil, limit: Int = 0) throws -> [TableEntry<Value>] {
        let session = try checked("range")
        var entries: [TableEntry<Value>] = []
        var failure: (key: [UInt8], error: any Error)?
        let scan = { (start: UnsafeRawBufferPointer?, end: UnsafeRawBufferPointer?) throws in
            try session.host.stateRange(batchID: session.batchID, table: name, start: start, end: end, limit: limit) { key, value in
                do {
                    entries.append(TableEntry(key: Array(key), value: try session.decode(Value.self, from: value)))
                    return true
                } catch {
                    failure = (Array(key), error)
                    return false
                }
            }
        }
        try Self.withOptional(start) { startBytes in
            try Self.withOptional(end) { endBytes in _ = try scan(startBytes, endBytes) }
        }
        if let failure {
            throw StateError(operation: "range", table: name, key: failure.key.withUnsafeBytes(StateKeyText.describe),
                             reason: "the stored value is not valid JSON for \(Value.self): \(failure.error)")
        }
        return entries
    }

    /// The entries whose key starts with `prefix`, in ascending byte order.
    public func entries(withPrefix prefix: some RecordBytes, limit: Int = 0) throws -> [TableEntry<Value>] {
        let start = prefix.withRecordBytes { Array($0) }
        return try entries(from: start, to: KeyRange.prefixEnd(start), limit: limit)
    }

    private func checked(_ operation: String) throws(StateError) -> StateSession {
        guard let session else {
            throw StateError(operation: operation, table: name, key: nil, reason: "the agent keeps no tables (see Agent.tables)")
        }
        _ = try session.declaration(of: name, operation: operation)
        return session
    }

    private static func withOptional<R>(_ bytes: [UInt8]?, _ body: (UnsafeRawBufferPointer?) throws -> R) rethrows -> R {
        guard let bytes else { return try body(nil) }
        return try bytes.withUnsafeBytes { try body($0) }
    }
}

/// One entry of a ``Table`` range scan.
public struct TableEntry<Value: Codable> {
    /// The key's bytes.
    public let key: [UInt8]
    /// The decoded value.
    public let value: Value
    /// The key as UTF-8 text.
    public var keyString: String { String(decoding: key, as: UTF8.self) }
}

extension TableEntry: Sendable where Value: Sendable {}

/// Byte-order key ranges.
enum KeyRange {
    /// The smallest key above every key that starts with `prefix`; nil when
    /// there is none (the prefix is all 0xFF, or empty).
    static func prefixEnd(_ prefix: [UInt8]) -> [UInt8]? {
        var end = prefix
        while let last = end.last {
            if last < 0xFF {
                end[end.count - 1] = last + 1
                return end
            }
            end.removeLast()
        }
        return nil
    }
}
