import CSluicePlugin
import SluiceIsolationWire

/// The `sluice_host_api` the plugin gets in the runner. Writes, produced
/// records, errors and timers wait in the batch they belong to and reach the
/// host with its answer; reads, the stream time and the trace context ask the
/// host; logs and metrics go at once.
enum RunnerHostTable {
    /// The one session of this process.
    nonisolated(unsafe) static var session: RunnerSession!

    nonisolated(unsafe) static let table: UnsafeMutablePointer<sluice_host_api> = {
        let table = UnsafeMutablePointer<sluice_host_api>.allocate(capacity: 1)
        table.initialize(to: sluice_host_api(
            struct_size: UInt32(MemoryLayout<sluice_host_api>.size),
            abi_major: UInt16(SLUICE_ABI_MAJOR),
            abi_minor: UInt16(SLUICE_ABI_MINOR),
            log: { _, level, message, length in
                var writer = WireWriter()
                writer.u8(UInt8(level.rawValue))
                writer.data(UnsafeRawBufferPointer(start: message, count: message == nil ? 0 : length))
                session.channel.send(.log, tag: 0, writer.bytes)
            },
            produce: { _, batchID, topic, topicLength, partition, key, keyLength, value, valueLength, headers, headerCount in
                guard let batch = session.batch(batchID) else { return Int32(SLUICE_STATUS_ERROR) }
                batch.state.withLock { state in
                    writeProduce(into: &state.operations, topic: raw(topic, topicLength), record: sluice_produce_record(
                        partition: partition, key: key, key_len: keyLength, value: value, value_len: valueLength,
                        headers: headers, header_count: headerCount))
                }
                return Int32(SLUICE_STATUS_OK)
            },
            complete: { _, batchID, status in
                session.complete(batchID, status: Int32(bitPattern: status.rawValue))
            },
            set_error: { _, batchID, index, reason, length in
                session.batch(batchID)?.state.withLock { state in
                    state.operations.u8(WireOperation.setError.rawValue)
                    state.operations.u64(UInt64(index))
                    state.operations.data(raw(reason, length))
                }
            },
            counter_add: { _, name, length, delta in metric(0, name, length, Double(delta)) },
            gauge_set: { _, name, length, value in metric(1, name, length, value) },
            histogram_record: { _, name, length, value in metric(2, name, length, value) },
            trace_context: { _, batchID, buffer, capacity in
                var writer = WireWriter()
                writer.u64(batchID)
                guard let buffer, capacity > Int(SLUICE_TRACEPARENT_LEN),
                      let answer = session.request(.traceContext, writer.bytes), !answer.isEmpty,
                      answer.count < capacity else { return 0 }
                answer.withUnsafeBytes { UnsafeMutableRawPointer(buffer).copyMemory(from: $0.baseAddress!, byteCount: answer.count) }
                buffer[answer.count] = 0
                return answer.count
            },
            state_get: { _, batchID, table, tableLength, key, keyLength, sink, context in
                guard let batch = session.batch(batchID) else { return SLUICE_STATE_ERROR }
                let tableBytes = raw(table, tableLength)
                let keyBytes = raw(key, keyLength)
                let overlayKey = RunnerBatch.overlayKey(table: tableBytes, key: keyBytes)
                if let staged = batch.state.withLock({ $0.overlay[overlayKey] }) {
                    guard let value = staged else { return SLUICE_STATE_ABSENT }
                    value.withUnsafeBufferPointer { sink?(context, $0.baseAddress, $0.count) }
                    return SLUICE_STATE_FOUND
                }
                var writer = WireWriter()
                writer.u64(batchID)
                writer.data(tableBytes)
                writer.data(keyBytes)
                guard let answer = session.request(.stateGet, writer.bytes) else { return SLUICE_STATE_ERROR }
                return answer.withUnsafeBytes { bytes -> Int32 in
                    var reader = WireReader(bytes)
                    guard let status = try? reader.i32() else { return SLUICE_STATE_ERROR }
                    if status == SLUICE_STATE_FOUND, let value = try? reader.data() {
                        sink?(context, value.baseAddress?.assumingMemoryBound(to: UInt8.self), value.count)
                    }
                    return status
                }
            },
            state_put: { _, batchID, table, tableLength, key, keyLength, value, valueLength in
                guard let batch = session.batch(batchID) else { return SLUICE_STATE_ERROR }
                let tableBytes = raw(table, tableLength)
                guard session.tables.contains(Array(tableBytes)), keyLength <= Int(SLUICE_STATE_MAX_KEY),
                      value == nil || valueLength <= Int(SLUICE_STATE_MAX_VALUE) else {
                    session.log(SLUICE_LOG_ERROR, "state_put refused: unknown table, or key or value over its limit (table \(String(decoding: tableBytes, as: UTF8.self)), key \(keyLength) bytes, value \(valueLength) bytes)")
                    return SLUICE_STATE_ERROR
                }
                let keyBytes = raw(key, keyLength)
                let stored: [UInt8]? = value == nil ? nil : Array(raw(value, valueLength))
                batch.state.withLock { state in
                    state.overlay[RunnerBatch.overlayKey(table: tableBytes, key: keyBytes)] = .some(stored)
                    state.operations.u8(WireOperation.statePut.rawValue)
                    state.operations.data(tableBytes)
                    state.operations.data(keyBytes)
                    state.operations.optionalData(stored)
                }
                return Int32(SLUICE_STATUS_OK)
            },
            state_range: { _, batchID, table, tableLength, start, startLength, end, endLength, limit, visit, context in
                guard let batch = session.batch(batchID), let visit else { return Int64(SLUICE_STATE_ERROR) }
                let tableBytes = raw(table, tableLength)
                let startBytes: [UInt8]? = start == nil ? nil : Array(raw(start, startLength))
                let endBytes: [UInt8]? = end == nil ? nil : Array(raw(end, endLength))
                let prefix = RunnerBatch.overlayKey(table: tableBytes, key: UnsafeRawBufferPointer(start: nil, count: 0))
                // This batch's own writes in the range, by key.
                let staged = batch.state.withLock { state in
                    state.overlay.compactMap { entry -> ([UInt8], [UInt8]?)? in
                        guard entry.key.starts(with: prefix) else { return nil }
                        let key = Array(entry.key.dropFirst(prefix.count))
                        if let startBytes, key.lexicographicallyPrecedes(startBytes) { return nil }
                        if let endBytes, !key.lexicographicallyPrecedes(endBytes) { return nil }
                        return (key, entry.value)
                    }
                }
                var writer = WireWriter()
                writer.u64(batchID)
                writer.data(tableBytes)
                writer.optionalData(startBytes)
                writer.optionalData(endBytes)
                // Ask for more when some stored entries may be hidden by this batch's writes.
                writer.u64(UInt64(limit == 0 ? 0 : limit + staged.count))
                guard let answer = session.request(.stateRange, writer.bytes) else { return Int64(SLUICE_STATE_ERROR) }
                var entries: [[UInt8]: [UInt8]] = [:]
                let status = answer.withUnsafeBytes { bytes -> Int64 in
                    var reader = WireReader(bytes)
                    guard let status = try? reader.i64() else { return Int64(SLUICE_STATE_ERROR) }
                    guard status >= 0, let count = try? reader.u32() else { return status }
                    for _ in 0..<count {
                        guard let key = try? reader.data(), let value = try? reader.data() else { return Int64(SLUICE_STATE_ERROR) }
                        entries[Array(key)] = Array(value)
                    }
                    return status
                }
                guard status >= 0 else { return status }
                for (key, value) in staged { entries[key] = value }
                var visited: Int64 = 0
                for key in entries.keys.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
                    if limit > 0, visited >= Int64(limit) { break }
                    let value = entries[key]!
                    visited += 1
                    let stop = key.withUnsafeBufferPointer { keyBuffer in
                        value.withUnsafeBufferPointer { valueBuffer in
                            visit(context, keyBuffer.baseAddress, keyBuffer.count, valueBuffer.baseAddress, valueBuffer.count)
                        }
                    }
                    if stop != 0 { break }
                }
                return visited
            },
            timer_schedule: { _, batchID, clock, due, key, keyLength in
                guard let batch = session.batch(batchID) else { return SLUICE_STATE_ERROR }
                batch.state.withLock { state in
                    state.operations.u8(WireOperation.timerSchedule.rawValue)
                    state.operations.i32(clock)
                    state.operations.i64(due)
                    state.operations.data(raw(key, keyLength))
                }
                return Int32(SLUICE_STATUS_OK)
            },
            timer_cancel: { _, batchID, clock, key, keyLength in
                guard let batch = session.batch(batchID) else { return SLUICE_STATE_ERROR }
                batch.state.withLock { state in
                    state.operations.u8(WireOperation.timerCancel.rawValue)
                    state.operations.i32(clock)
                    state.operations.data(raw(key, keyLength))
                }
                return Int32(SLUICE_STATUS_OK)
            },
            stream_time: { _, batchID in
                var writer = WireWriter()
                writer.u64(batchID)
                guard let answer = session.request(.streamTime, writer.bytes) else { return -1 }
                return answer.withUnsafeBytes { bytes in
                    var reader = WireReader(bytes)
                    return (try? reader.i64()) ?? -1
                }
            },
            produce_batch: { _, batchID, topic, topicLength, records, count in
                guard let batch = session.batch(batchID) else { return Int32(SLUICE_STATUS_ERROR) }
                // Each record goes to the host as a produce of its own, with the batch's answer.
                batch.state.withLock { state in
                    for index in 0..<(records == nil ? 0 : count) {
                        writeProduce(into: &state.operations, topic: raw(topic, topicLength), record: records![index])
                    }
                }
                return Int32(SLUICE_STATUS_OK)
            }))
        return table
    }()

    /// Appends one produce operation for `record` to a batch's operations.
    static func writeProduce(into operations: inout WireWriter, topic: UnsafeRawBufferPointer, record: sluice_produce_record) {
        operations.u8(WireOperation.produce.rawValue)
        operations.data(topic)
        operations.i32(record.partition)
        operations.optionalData(record.key == nil ? nil : raw(record.key, record.key_len))
        operations.optionalData(record.value == nil ? nil : raw(record.value, record.value_len))
        operations.u32(UInt32(record.headers == nil ? 0 : record.header_count))
        if let headers = record.headers {
            for index in 0..<record.header_count {
                let header = headers[index]
                operations.data(raw(header.name, header.name_len))
                operations.optionalData(header.value == nil ? nil : raw(header.value, header.value_len))
            }
        }
    }

    static func raw(_ pointer: UnsafeRawPointer?, _ length: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: pointer, count: pointer == nil ? 0 : length)
    }

    static func metric(_ type: UInt8, _ name: UnsafePointer<CChar>?, _ length: Int, _ value: Double) {
        var writer = WireWriter()
        writer.u8(type)
        writer.data(raw(name, length))
        writer.f64(value)
        session.channel.send(.metric, tag: 0, writer.bytes)
    }
}
