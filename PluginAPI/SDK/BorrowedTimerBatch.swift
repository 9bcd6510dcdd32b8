import CSluicePlugin

/// A `sluice_timer_batch` pointer, borrowed for the `on_timer` call (which
/// waits for the SDK's work on it).
struct BorrowedTimerBatch: @unchecked Sendable {
    // @unchecked: on_timer blocks until every use of the batch has ended.
    let raw: UnsafeMutablePointer<sluice_timer_batch>

    var id: UInt64 { raw.pointee.id }
    var topic: String { raw.pointee.topic.map { String(cString: $0) } ?? "" }
    var partition: Int32 { raw.pointee.partition }
    var nowMilliseconds: Int64 { raw.pointee.now_ms }
    /// The partition's stream time as the host knows it (-1: no record yet).
    var streamTimeMilliseconds: Int64 { raw.pointee.stream_time_ms }
    var count: Int { raw.pointee.count }

    /// Timer `index`: its clock, due time and key (as text).
    func timer(at index: Int) -> (clock: TimerClock, due: Int64, key: String) {
        let timer = raw.pointee.timers[index]
        let key = String(decoding: UnsafeRawBufferPointer(start: timer.key, count: timer.key_len), as: UTF8.self)
        return (TimerClock(rawValue: timer.clock) ?? .wall, timer.due_ms, key)
    }

    /// The SDK's per-partition record, when the host called `open` for the partition.
    var slot: PartitionSlot? {
        raw.pointee.partition_state.map { Unmanaged<PartitionSlot>.fromOpaque($0).takeUnretainedValue() }
    }
}
