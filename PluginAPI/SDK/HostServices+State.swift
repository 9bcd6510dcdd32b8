import CSluicePlugin

/// The ABI 1.2 members of the host table: tables and timers. Each call names
/// an open batch; `table` names are the declared ones.
extension HostServices {
    /// The size of a host table that has every ABI 1.2 member.
    static let abi1_2TableSize = MemoryLayout<sluice_host_api>.offset(of: \.stream_time)! + MemoryLayout<UnsafeRawPointer?>.size

    /// Whether the host table has the 1.2 state members.
    var supportsState: Bool {
        Int(api.pointee.struct_size) >= Self.abi1_2TableSize && api.pointee.state_get != nil
            && api.pointee.state_put != nil && api.pointee.state_range != nil
            && api.pointee.timer_schedule != nil && api.pointee.timer_cancel != nil && api.pointee.stream_time != nil
    }

    /// The receiver of `state_get`'s value: the closure behind the context pointer.
    typealias ValueReader = (UnsafeRawBufferPointer) -> Void

    /// Reads `key` of `table`; calls `read` with the borrowed value when there is one.
    /// Returns whether the key had a value; throws when the host refuses.
    func stateGet(batchID: UInt64, table: String, key: UnsafeRawBufferPointer,
                  read: ValueReader) throws(StateError) -> Bool {
        guard supportsState, let get = api.pointee.state_get else { throw Self.unsupported("get", table, key) }
        let status: Int32 = withoutActuallyEscaping(read) { reader in
            var reader: ValueReader = reader
            return withUnsafeMutablePointer(to: &reader) { context in
                Self.withName(table) { name, nameCount in
                    get(host, batchID, name, nameCount, key.bindMemory(to: UInt8.self).baseAddress ?? emptyStateBytes, key.count,
                        { context, value, count in
                            context!.assumingMemoryBound(to: ValueReader.self).pointee(UnsafeRawBufferPointer(start: value, count: count))
                        }, context)
                }
            }
        }
        switch status {
        case Int32(SLUICE_STATE_FOUND): return true
        case Int32(SLUICE_STATE_ABSENT): return false
        default: throw Self.refused("get", table, key)
        }
    }

    /// Writes `value` under `key` of `table`; nil deletes.
    func statePut(batchID: UInt64, table: String, key: UnsafeRawBufferPointer,
                  value: UnsafeRawBufferPointer?) throws(StateError) {
        guard supportsState, let put = api.pointee.state_put else { throw Self.unsupported(value == nil ? "delete" : "put", table, key) }
        let status = Self.withName(table) { name, nameCount in
            put(host, batchID, name, nameCount, key.bindMemory(to: UInt8.self).baseAddress ?? emptyStateBytes, key.count,
                value.map { $0.bindMemory(to: UInt8.self).baseAddress ?? emptyStateBytes }, value?.count ?? 0)
        }
        guard status == SLUICE_STATUS_OK else { throw Self.refused(value == nil ? "delete" : "put", table, key) }
    }

    /// The receiver of `state_range`'s entries; returns false to stop.
    typealias EntryVisitor = (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> Bool

    /// Visits the entries with `start <= key < end` in byte order (nil: open
    /// end), at most `limit` (0: all). `visit` must not call the host.
    @discardableResult
    func stateRange(batchID: UInt64, table: String, start: UnsafeRawBufferPointer?, end: UnsafeRawBufferPointer?,
                    limit: Int = 0, visit: EntryVisitor) throws(StateError) -> Int64 {
        guard supportsState, let range = api.pointee.state_range else { throw Self.unsupported("range", table, nil) }
        let visited: Int64 = withoutActuallyEscaping(visit) { visitor in
            var visitor: EntryVisitor = visitor
            return withUnsafeMutablePointer(to: &visitor) { context in
                Self.withName(table) { name, nameCount in
                    range(host, batchID, name, nameCount,
                          start.map { $0.bindMemory(to: UInt8.self).baseAddress ?? emptyStateBytes }, start?.count ?? 0,
                          end.map { $0.bindMemory(to: UInt8.self).baseAddress ?? emptyStateBytes }, end?.count ?? 0,
                          limit, { context, key, keyCount, value, valueCount in
                              let go = context!.assumingMemoryBound(to: EntryVisitor.self).pointee(
                                  UnsafeRawBufferPointer(start: key, count: keyCount),
                                  UnsafeRawBufferPointer(start: value, count: valueCount))
                              return go ? 0 : 1
                          }, context)
                }
            }
        }
        guard visited >= 0 else { throw Self.refused("range", table, nil) }
        return visited
    }

    /// Schedules (or moves) the timer (`clock`, `key`) of the batch's partition.
    func scheduleTimer(batchID: UInt64, clock: TimerClock, dueMilliseconds: Int64, key: String) throws(StateError) {
        guard supportsState, let schedule = api.pointee.timer_schedule else {
            throw StateError(operation: "schedule timer", table: nil, key: key, reason: Self.noStateSupport)
        }
        var key = key
        let status = key.withUTF8 { schedule(host, batchID, clock.rawValue, dueMilliseconds, $0.baseAddress ?? emptyStateBytes, $0.count) }
        guard status == SLUICE_STATUS_OK else {
            throw StateError(operation: "schedule timer", table: nil, key: key, reason: "refused by the host (see its log)")
        }
    }

    /// Cancels the timer (`clock`, `key`); a missing one is fine.
    func cancelTimer(batchID: UInt64, clock: TimerClock, key: String) throws(StateError) {
        guard supportsState, let cancel = api.pointee.timer_cancel else {
            throw StateError(operation: "cancel timer", table: nil, key: key, reason: Self.noStateSupport)
        }
        var key = key
        let status = key.withUTF8 { cancel(host, batchID, clock.rawValue, $0.baseAddress ?? emptyStateBytes, $0.count) }
        guard status == SLUICE_STATUS_OK else {
            throw StateError(operation: "cancel timer", table: nil, key: key, reason: "refused by the host (see its log)")
        }
    }

    /// The partition's stream time as the host knows it, or -1.
    func streamTime(batchID: UInt64) -> Int64 {
        guard supportsState, let streamTime = api.pointee.stream_time else { return -1 }
        return streamTime(host, batchID)
    }

    private static let noStateSupport = "the host has no ABI 1.2 state support"

    private static func withName<R>(_ table: String, _ body: (UnsafePointer<CChar>, Int) -> R) -> R {
        var table = table
        return table.withUTF8 { bytes in
            bytes.withMemoryRebound(to: CChar.self) { body($0.baseAddress ?? emptyStateName, $0.count) }
        }
    }

    private static func unsupported(_ operation: String, _ table: String, _ key: UnsafeRawBufferPointer?) -> StateError {
        StateError(operation: operation, table: table, key: key.map(StateKeyText.describe), reason: noStateSupport)
    }

    private static func refused(_ operation: String, _ table: String, _ key: UnsafeRawBufferPointer?) -> StateError {
        StateError(operation: operation, table: table, key: key.map(StateKeyText.describe),
                   reason: "refused by the host (SLUICE_STATE_ERROR; see its log)")
    }
}

/// A non-NULL pointer for an empty key or value (NULL means "none").
nonisolated(unsafe) private let emptyStateBytes = UnsafePointer(UnsafeMutablePointer<UInt8>.allocate(capacity: 1))
nonisolated(unsafe) private let emptyStateName = UnsafePointer(UnsafeMutablePointer<CChar>.allocate(capacity: 1))

/// How a key appears in an error: its UTF-8 text, with other bytes escaped.
enum StateKeyText {
    static func describe(_ key: UnsafeRawBufferPointer) -> String {
        var text = ""
        for byte in key.prefix(200) {
            if byte >= 0x20 && byte < 0x7F { text.unicodeScalars.append(Unicode.Scalar(byte)) }
            else { text += "\\x" + String(byte, radix: 16).leftPadded(to: 2) }
        }
        return key.count > 200 ? text + "…" : text
    }
}

extension String {
    func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
