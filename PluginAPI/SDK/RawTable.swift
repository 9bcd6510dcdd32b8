/// One of the agent's tables with raw byte values (see
/// ``AgentContext/rawTable(_:)``), for values that are not JSON.
public struct RawTable: Sendable {
    /// The table's name.
    public let name: String
    let session: StateSession?

    /// The bytes under `key`, or nil.
    public func get(_ key: some RecordBytes) throws -> [UInt8]? {
        let session = try checked("get")
        var value: [UInt8]?
        _ = try key.withRecordBytes { keyBytes in
            try session.host.stateGet(batchID: session.batchID, table: name, key: keyBytes) { value = Array($0) }
        }
        return value
    }

    /// Stores `value` under `key`.
    public func set(_ key: some RecordBytes, _ value: some RecordBytes) throws {
        let session = try checked("put")
        try key.withRecordBytes { keyBytes in
            try value.withRecordBytes { valueBytes in
                try session.host.statePut(batchID: session.batchID, table: name, key: keyBytes, value: valueBytes)
            }
        }
    }

    /// Removes `key`.
    public func delete(_ key: some RecordBytes) throws {
        let session = try checked("delete")
        try key.withRecordBytes { try session.host.statePut(batchID: session.batchID, table: name, key: $0, value: nil) }
    }

    /// Calls `visit` with each entry with `start <= key < end` (nil: unbounded)
    /// in ascending byte order, borrowed for the call; return false to stop.
    /// `visit` must not use the tables.
    public func forEach(from start: [UInt8]? = nil, to end: [UInt8]? = nil,
                        _ visit: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> Bool) throws {
        let session = try checked("range")
        func scan(_ low: UnsafeRawBufferPointer?, _ high: UnsafeRawBufferPointer?) throws {
            try session.host.stateRange(batchID: session.batchID, table: name, start: low, end: high, visit: visit)
        }
        switch (start, end) {
        case (nil, nil): try scan(nil, nil)
        case (let low?, nil): try low.withUnsafeBytes { try scan($0, nil) }
        case (nil, let high?): try high.withUnsafeBytes { try scan(nil, $0) }
        case (let low?, let high?): try low.withUnsafeBytes { lowBytes in try high.withUnsafeBytes { try scan(lowBytes, $0) } }
        }
    }

    private func checked(_ operation: String) throws(StateError) -> StateSession {
        guard let session else {
            throw StateError(operation: operation, table: name, key: nil, reason: "the agent keeps no tables (see Agent.tables)")
        }
        _ = try session.declaration(of: name, operation: operation)
        return session
    }
}
