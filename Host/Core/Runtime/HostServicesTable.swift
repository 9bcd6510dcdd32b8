import CSluicePlugin
import Logging

/// The `sluice_host_api` table every plugin instance receives. One static
/// table for the process; the `sluice_host *` handle passed with each call is
/// the agent's runner (unretained: the runner outlives its instance).
enum HostServicesTable {
    nonisolated(unsafe) static let table: UnsafeMutablePointer<sluice_host_api> = {
        let table = UnsafeMutablePointer<sluice_host_api>.allocate(capacity: 1)
        table.initialize(to: sluice_host_api(
            struct_size: UInt32(MemoryLayout<sluice_host_api>.size),
            abi_major: UInt16(SLUICE_ABI_MAJOR),
            abi_minor: UInt16(SLUICE_ABI_MINOR),
            log: { host, level, message, length in
                guard let runner = HostServicesTable.runner(host) else { return }
                runner.pluginLog(level: level, message: HostServicesTable.text(message, length))
            },
            produce: { host, batchID, topic, topicLength, partition, key, keyLength, value, valueLength, headers, headerCount in
                guard host != nil else { return Int32(SLUICE_STATUS_ERROR) }
                let record = OutgoingRecord(topic: HostServicesTable.text(topic, topicLength), copying: sluice_produce_record(
                    partition: partition, key: key, key_len: keyLength, value: value, value_len: valueLength,
                    headers: headers, header_count: headerCount))
                let stored = HostServicesTable.withRunner(host, orElse: false) { runner in
                    runner.pluginProduce(batchID: batchID, record: record)
                }
                return stored ? Int32(SLUICE_STATUS_OK) : Int32(SLUICE_STATUS_ERROR)
            },
            complete: { host, batchID, status in
                HostServicesTable.runner(host)?.pluginComplete(batchID: batchID, status: Int32(bitPattern: status.rawValue))
            },
            set_error: { host, batchID, index, reason, length in
                HostServicesTable.runner(host)?.pluginSetError(
                    batchID: batchID, index: index, reason: HostServicesTable.text(reason, length))
            },
            counter_add: { host, name, length, delta in
                HostServicesTable.runner(host)?.pluginMetrics.counter(HostServicesTable.text(name, length), add: delta)
            },
            gauge_set: { host, name, length, value in
                HostServicesTable.runner(host)?.pluginMetrics.gauge(HostServicesTable.text(name, length), set: value)
            },
            histogram_record: { host, name, length, value in
                HostServicesTable.runner(host)?.pluginMetrics.histogram(HostServicesTable.text(name, length), record: value)
            },
            trace_context: { host, batchID, buffer, capacity in
                guard let buffer, capacity > TraceParent.length,
                      let trace = HostServicesTable.runner(host)?.pluginTraceContext(batchID: batchID) else { return 0 }
                let bytes = trace.bytes
                bytes.withUnsafeBytes { source in
                    UnsafeMutableRawPointer(buffer).copyMemory(from: source.baseAddress!, byteCount: bytes.count)
                }
                buffer[bytes.count] = 0
                return bytes.count
            },
            state_get: { host, batchID, table, tableLength, key, keyLength, sink, context in
                HostServicesTable.withRunner(host, orElse: SLUICE_STATE_ERROR) { runner in runner.pluginStateGet(batchID: batchID, table: HostServicesTable.raw(table, tableLength),
                                             key: UnsafeRawBufferPointer(start: key, count: key == nil ? 0 : keyLength)) { value in
                    sink?(context, value.baseAddress?.assumingMemoryBound(to: UInt8.self), value.count)
                } }
            },
            state_put: { host, batchID, table, tableLength, key, keyLength, value, valueLength in
                HostServicesTable.withRunner(host, orElse: SLUICE_STATE_ERROR) { runner in
                    runner.pluginStatePut(batchID: batchID, table: HostServicesTable.raw(table, tableLength),
                                          key: HostServicesTable.raw(key, keyLength),
                                          value: HostServicesTable.bytes(value, valueLength))
                }
            },
            state_range: { host, batchID, table, tableLength, start, startLength, end, endLength, limit, visit, context in
                guard let runner = HostServicesTable.runner(host), let visit else { return Int64(SLUICE_STATE_ERROR) }
                return runner.pluginStateRange(
                    batchID: batchID, table: HostServicesTable.raw(table, tableLength),
                    start: HostServicesTable.bytes(start, startLength), end: HostServicesTable.bytes(end, endLength),
                    limit: limit) { key, value in
                        visit(context, key.baseAddress?.assumingMemoryBound(to: UInt8.self), key.count,
                              value.baseAddress?.assumingMemoryBound(to: UInt8.self), value.count) == 0
                    }
            },
            timer_schedule: { host, batchID, clock, due, key, keyLength in
                guard let runner = HostServicesTable.runner(host) else { return SLUICE_STATE_ERROR }
                return runner.pluginTimer(batchID: batchID, clock: clock, key: HostServicesTable.bytes(key, keyLength) ?? [], due: due)
            },
            timer_cancel: { host, batchID, clock, key, keyLength in
                guard let runner = HostServicesTable.runner(host) else { return SLUICE_STATE_ERROR }
                return runner.pluginTimer(batchID: batchID, clock: clock, key: HostServicesTable.bytes(key, keyLength) ?? [], due: nil)
            },
            stream_time: { host, batchID in
                HostServicesTable.runner(host)?.pluginStreamTime(batchID: batchID) ?? -1
            },
            produce_batch: { host, batchID, topic, topicLength, records, count in
                guard host != nil else { return Int32(SLUICE_STATUS_ERROR) }
                let batch = BorrowedRecordBatch(topic: HostServicesTable.text(topic, topicLength),
                                                records: UnsafeBufferPointer(start: records, count: records == nil ? 0 : count))
                let stored = HostServicesTable.withRunner(host, orElse: false) { runner in
                    runner.pluginProduceBatch(batchID: batchID, batch: batch)
                }
                return stored ? Int32(SLUICE_STATUS_OK) : Int32(SLUICE_STATUS_ERROR)
            }))
        return table
    }()

    /// The handle a runner gives its instance.
    static func handle(for runner: AgentRunner) -> OpaquePointer {
        OpaquePointer(Unmanaged.passUnretained(runner).toOpaque())
    }

    /// Calls `body` with the runner behind `handle` without retaining it
    /// (the runner outlives its instance's calls, and a runner is retained
    /// through a side table, which makes a retain per state call cost more
    /// than the call's own work); `fallback` for a NULL handle.
    static func withRunner<Result>(_ handle: OpaquePointer?, orElse fallback: Result,
                                   _ body: (AgentRunner) -> Result) -> Result {
        guard let handle else { return fallback }
        return Unmanaged<AgentRunner>.fromOpaque(UnsafeRawPointer(handle))._withUnsafeGuaranteedRef(body)
    }

    static func runner(_ handle: OpaquePointer?) -> AgentRunner? {
        guard let handle else { return nil }
        return Unmanaged<AgentRunner>.fromOpaque(UnsafeRawPointer(handle)).takeUnretainedValue()
    }

    static func text(_ pointer: UnsafePointer<CChar>?, _ length: Int) -> String {
        guard let pointer, length > 0 else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: pointer, count: length), as: UTF8.self)
    }

    /// The bytes at `pointer` as they are (empty for NULL): read during the call, never kept.
    static func raw(_ pointer: UnsafeRawPointer?, _ length: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: pointer, count: pointer == nil ? 0 : length)
    }

    static func bytes(_ pointer: UnsafePointer<UInt8>?, _ length: Int) -> [UInt8]? {
        guard let pointer else { return nil }
        return Array(UnsafeBufferPointer(start: pointer, count: length))
    }
}
