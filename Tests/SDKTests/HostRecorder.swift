import CSluicePlugin
import Foundation

/// A real `sluice_host_api` table whose functions record every call, so tests
/// can drive a plugin through its C surface and look at what it asked of the
/// host. The `sluice_host *` handle is the recorder itself.
final class HostRecorder: @unchecked Sendable {
    // @unchecked: every stored property is guarded by `condition`.
    struct Produced: Equatable {
        let batchID: UInt64
        let topic: String
        let partition: Int32
        let key: [UInt8]?
        let value: [UInt8]?
        let headers: [String: [UInt8]]
        var keyString: String? { key.map { String(decoding: $0, as: UTF8.self) } }
        var valueString: String? { value.map { String(decoding: $0, as: UTF8.self) } }
    }
    struct ErrorReason: Equatable {
        let batchID: UInt64
        let index: Int?
        let reason: String
    }

    private let condition = NSCondition()
    private var produced: [Produced] = []
    /// How many records each produce_batch call carried, in call order.
    private var produceBatchSizes: [Int] = []
    private var completions: [(batchID: UInt64, status: sluice_batch_status)] = []
    private var errors: [ErrorReason] = []
    private var logs: [(level: sluice_log_level, message: String)] = []
    private var counters: [String: Int64] = [:]
    /// Batch ids the host accepts produce() for; empty means any.
    var refuseProduce = false
    /// What trace_context answers (nil: 0, "no trace").
    let traceparent: String?

    /// The table, allocated once per recorder and freed with it.
    let api: UnsafeMutablePointer<sluice_host_api>

    /// The in-memory state store of the ABI 1.2 members (see ``StateStore``).
    let state = StateStore()

    /// The size of a 1.2 table (it ends before produce_batch).
    static let abi1_2Size = MemoryLayout<sluice_host_api>.offset(of: \.produce_batch)!
    /// The size of a 1.1 table (it ends after trace_context).
    static let abi1_1Size = MemoryLayout<sluice_host_api>.offset(of: \.state_get)!
    /// The size of a 1.0 table (it ends before trace_context).
    static let abi1_0Size = MemoryLayout<sluice_host_api>.offset(of: \.trace_context)!

    /// A recorder whose trace_context answers `traceparent`; `structSize`
    /// pretends an older host (a 1.0 table ends before trace_context, a 1.1
    /// table before state_get, a 1.2 table before produce_batch), and the
    /// minor it reports follows the size.
    init(traceparent: String? = nil, structSize: Int = MemoryLayout<sluice_host_api>.size) {
        self.traceparent = traceparent
        let minor = structSize <= Self.abi1_0Size ? 0 : structSize <= Self.abi1_1Size ? 1
            : structSize <= Self.abi1_2Size ? 2 : Int(SLUICE_ABI_MINOR)
        api = .allocate(capacity: 1)
        api.initialize(to: sluice_host_api(
            struct_size: UInt32(structSize),
            abi_major: UInt16(SLUICE_ABI_MAJOR), abi_minor: UInt16(minor),
            log: { host, level, message, length in
                HostRecorder.from(host).record { $0.logs.append((level, HostRecorder.text(message, length))) }
            },
            produce: { host, batchID, topic, topicLength, partition, key, keyLength, value, valueLength, headers, headerCount in
                HostRecorder.from(host).recordProduced(
                    batchID: batchID, topic: HostRecorder.text(topic, topicLength),
                    record: sluice_produce_record(partition: partition, key: key, key_len: keyLength, value: value,
                                                  value_len: valueLength, headers: headers, header_count: headerCount))
            },
            complete: { host, batchID, status in
                HostRecorder.from(host).record { $0.completions.append((batchID, status)) }
            },
            set_error: { host, batchID, index, reason, length in
                let entry = ErrorReason(batchID: batchID, index: index == Int(bitPattern: UInt(SLUICE_BATCH_INDEX)) ? nil : index,
                                        reason: HostRecorder.text(reason, length))
                HostRecorder.from(host).record { $0.errors.append(entry) }
            },
            counter_add: { host, name, length, delta in
                let key = HostRecorder.text(name, length)
                HostRecorder.from(host).record { $0.counters[key, default: 0] += delta }
            },
            gauge_set: nil,
            histogram_record: nil,
            trace_context: { host, _, buffer, capacity in
                guard let traceparent = HostRecorder.from(host).traceparent, let buffer, capacity > traceparent.utf8.count else { return 0 }
                for (index, byte) in traceparent.utf8.enumerated() { buffer[index] = CChar(bitPattern: byte) }
                buffer[traceparent.utf8.count] = 0
                return traceparent.utf8.count
            },
            state_get: { host, batchID, table, tableLength, key, keyLength, sink, context in
                let store = HostRecorder.from(host).state
                switch store.get(batchID: batchID, table: HostRecorder.text(table, tableLength), key: StateStore.bytes(key, keyLength)) {
                case .failure: return SLUICE_STATE_ERROR
                case .success(nil): return SLUICE_STATE_ABSENT
                case .success(let value?):
                    value.withUnsafeBufferPointer { sink?(context, $0.baseAddress, $0.count) }
                    return SLUICE_STATE_FOUND
                }
            },
            state_put: { host, batchID, table, tableLength, key, keyLength, value, valueLength in
                let stored = value.map { _ in StateStore.bytes(value, valueLength) }
                return HostRecorder.from(host).state.put(batchID: batchID, table: HostRecorder.text(table, tableLength),
                                                         key: StateStore.bytes(key, keyLength), value: stored)
                    ? SLUICE_STATUS_OK : SLUICE_STATE_ERROR
            },
            state_range: { host, batchID, table, tableLength, start, startLength, end, endLength, limit, visit, context in
                let entries = HostRecorder.from(host).state.range(
                    batchID: batchID, table: HostRecorder.text(table, tableLength),
                    start: start.map { _ in StateStore.bytes(start, startLength) }, end: end.map { _ in StateStore.bytes(end, endLength) },
                    limit: limit)
                guard let entries else { return Int64(SLUICE_STATE_ERROR) }
                var visited: Int64 = 0
                for (key, value) in entries {
                    visited += 1
                    let stop = key.withUnsafeBufferPointer { keyBuffer in
                        value.withUnsafeBufferPointer { visit!(context, keyBuffer.baseAddress, keyBuffer.count, $0.baseAddress, $0.count) }
                    }
                    if stop != 0 { break }
                }
                return visited
            },
            timer_schedule: { host, batchID, clock, due, key, keyLength in
                HostRecorder.from(host).state.schedule(batchID: batchID, clock: clock, due: due, key: StateStore.bytes(key, keyLength))
                    ? SLUICE_STATUS_OK : SLUICE_STATE_ERROR
            },
            timer_cancel: { host, batchID, clock, key, keyLength in
                HostRecorder.from(host).state.cancel(batchID: batchID, clock: clock, key: StateStore.bytes(key, keyLength))
                    ? SLUICE_STATUS_OK : SLUICE_STATE_ERROR
            },
            stream_time: { host, batchID in HostRecorder.from(host).state.streamTime(batchID: batchID) },
            produce_batch: { host, batchID, topic, topicLength, records, count in
                let recorder = HostRecorder.from(host)
                let topicName = HostRecorder.text(topic, topicLength)
                if topicName.isEmpty || recorder.refuseProduce { return SLUICE_STATUS_ERROR }
                recorder.record { $0.produceBatchSizes.append(count) }
                for index in 0..<count {
                    _ = recorder.recordProduced(batchID: batchID, topic: topicName, record: records![index])
                }
                return SLUICE_STATUS_OK
            }))
    }

    /// Notes one produced record (from produce or produce_batch).
    private func recordProduced(batchID: UInt64, topic: String, record produced: sluice_produce_record) -> Int32 {
        if topic.isEmpty || refuseProduce { return SLUICE_STATUS_ERROR }
        var copiedHeaders: [String: [UInt8]] = [:]
        for index in 0..<produced.header_count {
            let header = produced.headers![index]
            copiedHeaders[HostRecorder.text(header.name, header.name_len)] =
                Array(UnsafeBufferPointer(start: header.value, count: header.value_len))
        }
        let record = Produced(
            batchID: batchID, topic: topic, partition: produced.partition,
            key: produced.key.map { Array(UnsafeBufferPointer(start: $0, count: produced.key_len)) },
            value: produced.value.map { Array(UnsafeBufferPointer(start: $0, count: produced.value_len)) },
            headers: copiedHeaders)
        self.record { $0.produced.append(record) }
        return SLUICE_STATUS_OK
    }

    deinit { api.deallocate() }

    /// Leaks the recorder on purpose: after a timeout a plugin task may still
    /// call the host table, whose handle is this recorder.
    func keepAliveForever() { _ = Unmanaged.passRetained(self) }

    /// The opaque handle passed to create (unretained: the test keeps the recorder alive).
    var handle: OpaquePointer { OpaquePointer(Unmanaged.passUnretained(self).toOpaque()) }

    static func from(_ host: OpaquePointer?) -> HostRecorder {
        Unmanaged<HostRecorder>.fromOpaque(UnsafeRawPointer(host!)).takeUnretainedValue()
    }

    static func text(_ pointer: UnsafePointer<CChar>?, _ length: Int) -> String {
        guard let pointer else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: pointer, count: length), as: UTF8.self)
    }

    private func record(_ change: (HostRecorder) -> Void) {
        condition.lock()
        change(self)
        condition.broadcast()
        condition.unlock()
    }

    private func read<T>(_ body: (HostRecorder) -> T) -> T {
        condition.lock()
        defer { condition.unlock() }
        return body(self)
    }

    var producedRecords: [Produced] { read { $0.produced } }
    var produceBatchCalls: [Int] { read { $0.produceBatchSizes } }
    var errorReasons: [ErrorReason] { read { $0.errors } }
    var logLines: [String] { read { $0.logs.map(\.message) } }
    func counter(_ name: String) -> Int64 { read { $0.counters[name] ?? 0 } }
    func completions(of batchID: UInt64) -> [sluice_batch_status] {
        read { $0.completions.filter { $0.batchID == batchID }.map(\.status) }
    }
    func reasons(for batchID: UInt64) -> [Int?: String] {
        read { Dictionary($0.errors.filter { $0.batchID == batchID }.map { ($0.index, $0.reason) }, uniquingKeysWith: { $1 }) }
    }

    /// How a batch finished, given what on_batch returned: DONE or FATAL
    /// directly (then complete() must never come), or, after PENDING, the
    /// one complete() call. Nil when neither holds (none yet, or too many).
    func finalStatus(of batchID: UInt64, onBatchReturned status: sluice_batch_status?) -> sluice_batch_status? {
        let completions = completions(of: batchID)
        guard let status else { return nil }
        if status == SLUICE_BATCH_PENDING { return completions.count == 1 ? completions[0] : nil }
        return completions.isEmpty ? status : nil
    }

    /// Waits until complete() was called for `batchID`; false on timeout.
    /// Polls with `Task.sleep` rather than blocking, so the cooperative pool
    /// stays free for the plugin's tasks.
    func waitForCompletion(of batchID: UInt64, timeout: Duration = .seconds(10)) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if !completions(of: batchID).isEmpty { return true }
            try? await Task.sleep(for: .milliseconds(2))
        }
        return !completions(of: batchID).isEmpty
    }

    /// Blocks the calling thread until complete() was called for `batchID`;
    /// false on timeout. For tests that must not rely on Swift concurrency's
    /// cooperative pool at all.
    func waitForCompletionBlocking(of batchID: UInt64, timeout: TimeInterval = 10) -> Bool {
        let deadline = Date(timeIntervalSinceNow: timeout)
        condition.lock()
        defer { condition.unlock() }
        while !completions.contains(where: { $0.batchID == batchID }) {
            if !condition.wait(until: deadline) { break }
        }
        return completions.contains { $0.batchID == batchID }
    }
}
