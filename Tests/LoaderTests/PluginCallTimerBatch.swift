import CSluicePlugin
import Foundation

/// A `sluice_timer_batch` with the given due timers, in memory owned by the
/// test, for calling a plugin's on_timer directly.
final class PluginCallTimerBatch {
    private var keys: [UnsafeMutablePointer<UInt8>] = []
    private let timers: UnsafeMutablePointer<sluice_timer>
    private let topic: UnsafeMutablePointer<CChar>
    /// The batch to pass to on_timer.
    let batch: UnsafeMutablePointer<sluice_timer_batch>

    /// A timer batch of partition 0 of `topic` with `timers` (clock, due, key).
    init(id: UInt64, topic: String, streamTimeMs: Int64, _ due: [(clock: sluice_timer_clock, dueMs: Int64, key: String)]) {
        timers = .allocate(capacity: max(due.count, 1))
        for (index, timer) in due.enumerated() {
            let bytes = Array(timer.key.utf8)
            let key = UnsafeMutablePointer<UInt8>.allocate(capacity: max(bytes.count, 1))
            key.initialize(from: bytes, count: bytes.count)
            keys.append(key)
            (timers + index).initialize(to: sluice_timer(
                clock: Int32(timer.clock.rawValue), due_ms: timer.dueMs, key: key, key_len: bytes.count))
        }
        self.topic = strdup(topic)
        batch = .allocate(capacity: 1)
        batch.initialize(to: sluice_timer_batch(
            struct_size: UInt32(MemoryLayout<sluice_timer_batch>.size), id: id, topic: self.topic, partition: 0,
            partition_state: nil, now_ms: Int64(Date().timeIntervalSince1970 * 1000), stream_time_ms: streamTimeMs,
            count: due.count, timers: timers))
    }

    deinit {
        for key in keys { key.deallocate() }
        timers.deallocate()
        free(topic)
        batch.deallocate()
    }
}
