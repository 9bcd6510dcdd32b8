import CSluicePlugin
import Foundation

/// A `sluice_host_api` table whose ABI 1.2 state and timer functions keep
/// tables and timers in memory, for driving a C plugin's hooks directly
/// (create, on_batch, on_timer) and reading back exactly what it stored.
///
/// It follows the contract of the header (reads see the batch's own writes,
/// `state_range` in ascending byte order, a NULL value deletes, scheduling a
/// (clock, key) again moves it) without the host's durability: it checks the
/// C side's layout and calls, not the runtime's store.
final class StateTableHost: @unchecked Sendable {
    // @unchecked: every member is guarded by `lock`; the plugin calls back on the caller's thread.

    /// A timer as the plugin named it.
    struct TimerName: Hashable, CustomStringConvertible {
        let clock: Int32
        let key: String
        var description: String { "\(clock == Int32(SLUICE_CLOCK_WALL.rawValue) ? "wall" : "stream"):\(key)" }
    }

    /// A record the plugin produced.
    struct Produced: Equatable {
        let batchID: UInt64
        let topic: String
        let key: String?
        let value: String?
    }

    private let lock = NSLock()
    private var storedTables: [String: [[UInt8]: [UInt8]]]
    private var storedTimers: [TimerName: Int64] = [:]
    private var producedRecords: [Produced] = []
    private var currentStreamTime: Int64 = -1
    /// The table handed to the plugin.
    let api: UnsafeMutablePointer<sluice_host_api>

    /// A host with `tables` (the plugin's declared ones). `structSize` and
    /// `abiMinor` describe the table the plugin sees: pass a 1.1 size to play
    /// an older host (the state members stay filled in, beyond struct_size,
    /// so a plugin that ignored struct_size would find them).
    init(tables: [String], structSize: Int = MemoryLayout<sluice_host_api>.size, abiMinor: UInt16 = UInt16(SLUICE_ABI_MINOR),
         stateFunctions: Bool = true) {
        storedTables = Dictionary(uniqueKeysWithValues: tables.map { ($0, [:]) })
        api = .allocate(capacity: 1)
        api.initialize(to: Self.table(structSize: structSize, abiMinor: abiMinor, stateFunctions: stateFunctions))
    }

    deinit { api.deallocate() }

    /// The `sluice_host *` handle to pass with the table.
    var handle: OpaquePointer { OpaquePointer(Unmanaged.passUnretained(self).toOpaque()) }

    /// What `stream_time` returns.
    var streamTime: Int64 {
        get { lock.withLock { currentStreamTime } }
        set { lock.withLock { currentStreamTime = newValue } }
    }

    /// The entries of `table`, keys and values as text (control bytes kept).
    func entries(_ table: String) -> [String: String] {
        lock.withLock {
            Dictionary(uniqueKeysWithValues: (storedTables[table] ?? [:]).map {
                (String(decoding: $0.key, as: UTF8.self), String(decoding: $0.value, as: UTF8.self))
            })
        }
    }

    /// The scheduled timers and when they are due.
    var timers: [TimerName: Int64] { lock.withLock { storedTimers } }

    /// Removes a due timer, as the host does before handing it to on_timer.
    func fire(_ timer: TimerName) { lock.withLock { _ = storedTimers.removeValue(forKey: timer) } }

    /// The records produced so far.
    var produced: [Produced] { lock.withLock { producedRecords } }

    // MARK: - the C functions

    private static func host(_ pointer: OpaquePointer?) -> StateTableHost {
        Unmanaged<StateTableHost>.fromOpaque(UnsafeRawPointer(pointer!)).takeUnretainedValue()
    }

    private static func bytes(_ pointer: UnsafePointer<UInt8>?, _ count: Int) -> [UInt8] {
        guard let pointer, count > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: pointer, count: count))
    }

    private static func text(_ pointer: UnsafePointer<CChar>?, _ count: Int) -> String {
        guard let pointer else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: pointer, count: count), as: UTF8.self)
    }

    private static func table(structSize: Int, abiMinor: UInt16, stateFunctions: Bool) -> sluice_host_api {
        var table = sluice_host_api(
            struct_size: UInt32(structSize), abi_major: UInt16(SLUICE_ABI_MAJOR), abi_minor: abiMinor,
            log: { _, _, _, _ in },
            produce: { handle, batchID, topic, topicLength, _, key, keyLength, value, valueLength, _, _ in
                let record = Produced(
                    batchID: batchID, topic: StateTableHost.text(topic, topicLength),
                    key: key.map { String(decoding: UnsafeBufferPointer(start: $0, count: keyLength), as: UTF8.self) },
                    value: value.map { String(decoding: UnsafeBufferPointer(start: $0, count: valueLength), as: UTF8.self) })
                let host = StateTableHost.host(handle)
                host.lock.withLock { host.producedRecords.append(record) }
                return Int32(SLUICE_STATUS_OK)
            },
            complete: { _, _, _ in },
            set_error: { _, _, _, _, _ in },
            counter_add: { _, _, _, _ in },
            gauge_set: { _, _, _, _ in },
            histogram_record: { _, _, _, _ in },
            trace_context: { _, _, _, _ in 0 },
            state_get: nil, state_put: nil, state_range: nil,
            timer_schedule: nil, timer_cancel: nil, stream_time: nil, produce_batch: nil)
        guard stateFunctions else { return table }
        table.state_get = { handle, _, table, tableLength, key, keyLength, sink, context in
            let host = StateTableHost.host(handle)
            let name = StateTableHost.text(table, tableLength)
            let key = StateTableHost.bytes(key, keyLength)
            let value: [UInt8]? = host.lock.withLock {
                host.storedTables[name].map { $0[key] } ?? nil
            }
            guard host.lock.withLock({ host.storedTables[name] != nil }) else { return SLUICE_STATE_ERROR }
            guard let value else { return SLUICE_STATE_ABSENT }
            value.withUnsafeBufferPointer { sink!(context, $0.baseAddress, $0.count) }
            return SLUICE_STATE_FOUND
        }
        table.state_put = { handle, _, table, tableLength, key, keyLength, value, valueLength in
            let host = StateTableHost.host(handle)
            let name = StateTableHost.text(table, tableLength)
            let key = StateTableHost.bytes(key, keyLength)
            let newValue = value.map { _ in StateTableHost.bytes(value, valueLength) }
            return host.lock.withLock {
                guard host.storedTables[name] != nil, keyLength <= Int(SLUICE_STATE_MAX_KEY) else { return SLUICE_STATE_ERROR }
                host.storedTables[name]![key] = newValue
                return Int32(SLUICE_STATUS_OK)
            }
        }
        table.state_range = { handle, _, table, tableLength, start, startLength, end, endLength, limit, visit, context in
            let host = StateTableHost.host(handle)
            let name = StateTableHost.text(table, tableLength)
            let lower = start.map { _ in StateTableHost.bytes(start, startLength) }
            let upper = end.map { _ in StateTableHost.bytes(end, endLength) }
            guard let entries = host.lock.withLock({ host.storedTables[name] }) else { return Int64(SLUICE_STATE_ERROR) }
            let keys = entries.keys
                .filter { key in
                    (lower.map { !key.lexicographicallyPrecedes($0) } ?? true) && (upper.map { key.lexicographicallyPrecedes($0) } ?? true)
                }
                .sorted { $0.lexicographicallyPrecedes($1) }
            var visited: Int64 = 0
            for key in keys where limit == 0 || visited < Int64(limit) {
                visited += 1
                let value = entries[key]!
                let stop = key.withUnsafeBufferPointer { keyBuffer in
                    value.withUnsafeBufferPointer { valueBuffer in
                        visit!(context, keyBuffer.baseAddress, keyBuffer.count, valueBuffer.baseAddress, valueBuffer.count)
                    }
                }
                if stop != 0 { break }
            }
            return visited
        }
        table.timer_schedule = { handle, _, clock, due, key, keyLength in
            let host = StateTableHost.host(handle)
            let name = TimerName(clock: clock, key: String(decoding: StateTableHost.bytes(key, keyLength), as: UTF8.self))
            host.lock.withLock { host.storedTimers[name] = due }
            return Int32(SLUICE_STATUS_OK)
        }
        table.timer_cancel = { handle, _, clock, key, keyLength in
            let host = StateTableHost.host(handle)
            let name = TimerName(clock: clock, key: String(decoding: StateTableHost.bytes(key, keyLength), as: UTF8.self))
            host.lock.withLock { _ = host.storedTimers.removeValue(forKey: name) }
            return Int32(SLUICE_STATUS_OK)
        }
        table.stream_time = { handle, _ in StateTableHost.host(handle).streamTime }
        return table
    }
}
