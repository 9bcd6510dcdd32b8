import CSluicePlugin
import Foundation
import SluiceSDK
import Testing

/// Drives a stateful agent the way the host does, over ``HostRecorder``'s
/// in-memory state: one partition, batches delivered one at a time and
/// committed when no record asked for RETRY (dropped otherwise), due timers
/// handed to on_timer in a `sluice_timer_batch` of their own.
final class StatefulDriver: @unchecked Sendable {
    // @unchecked: used by one test at a time, from one task.
    let host: HostRecorder
    let plugin: LoadedPlugin
    let instance: PluginInstance
    let partitionState: UnsafeMutableRawPointer?
    let topic: String
    let partition: Int32
    private var nextBatchID: UInt64 = 1

    init(_ entry: UnsafeRawPointer?, topic: String = "page_views", partition: Int32 = 0, host: HostRecorder = HostRecorder()) throws {
        self.host = host
        self.topic = topic
        self.partition = partition
        plugin = try LoadedPlugin(entryResult: entry)
        instance = try plugin.create(host: host)
        partitionState = try instance.open(topic: topic, partition: partition)
    }

    /// Delivers one batch of records, waits until it finished, and commits
    /// or drops its writes. Returns the per-record results.
    @discardableResult
    func deliver(_ inputs: [TestBatch.Input]) async throws -> [sluice_result] {
        let id = nextBatchID
        nextBatchID += 1
        let batch = TestBatch(id: id, topic: topic, partition: partition, inputs, partitionState: partitionState)
        host.state.open(batchID: id, partition: partition,
                        timestamps: (0..<inputs.count).map { batch.pointer.pointee.messages[$0].timestamp_ms })
        let status = instance.onBatch(batch)
        if status == SLUICE_BATCH_PENDING {
            guard await host.waitForCompletion(of: id) else {
                batch.keepAliveForever()
                host.keepAliveForever()
                throw PluginFailure(reason: "batch \(id) never completed")
            }
        }
        let results = batch.results
        if results.contains(SLUICE_RESULT_RETRY) { host.state.drop(batchID: id) } else { host.state.commit(batchID: id) }
        return results
    }

    /// Records `value`s (JSON) of one key each, at the given timestamps, in one batch.
    @discardableResult
    func deliver(_ records: [(value: String, timestamp: Int64)]) async throws -> [sluice_result] {
        try await deliver(records.map { TestBatch.Input(key: nil, value: $0.value, timestamp: $0.timestamp) })
    }

    /// Fires the timers on `clock` due at or before `time` (a wall-clock
    /// firing says `now` = `time`), on a thread of its own as the host's
    /// lane would; commits the timer batch's writes when it returns DONE.
    /// Returns nil when no timer was due.
    @discardableResult
    func fire(_ clock: sluice_timer_clock, upTo time: Int64) async -> sluice_batch_status? {
        let due = host.state.takeDue(partition: partition, clock: clock, upTo: time)
        guard !due.isEmpty else { return nil }
        let id = nextBatchID
        nextBatchID += 1
        host.state.open(batchID: id, partition: partition)
        let timerBatch = TimerBatch(id: id, topic: topic, partition: partition, partitionState: partitionState,
                                    now: clock == SLUICE_CLOCK_WALL ? time : wallClockNow(),
                                    streamTime: host.state.committedStreamTime(partition: partition), timers: due)
        let instance = instance
        let status = await onHostThread { instance.onTimer(timerBatch.pointer) }
        withExtendedLifetime(timerBatch) {}
        if status == SLUICE_BATCH_DONE { host.state.commit(batchID: id) } else { host.state.drop(batchID: id) }
        return status
    }

    /// Closes the partition and destroys the instance.
    func finish() async {
        instance.close(topic: topic, partition: partition, state: partitionState)
        let instance = instance
        await onHostThread { instance.destroy() }
    }

    /// The values produced to `topic`, as text, in order.
    func produced(to topic: String) -> [String] {
        host.producedRecords.filter { $0.topic == topic }.compactMap(\.valueString)
    }
}

func wallClockNow() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

/// A `sluice_timer_batch` with real bytes, owned by the test.
final class TimerBatch: @unchecked Sendable {
    // @unchecked: read by on_timer on one thread while the test waits.
    let pointer: UnsafeMutablePointer<sluice_timer_batch>
    private let timers: UnsafeMutablePointer<sluice_timer>
    private var allocations: [UnsafeMutableRawPointer] = []

    init(id: UInt64, topic: String, partition: Int32, partitionState: UnsafeMutableRawPointer?, now: Int64,
         streamTime: Int64, timers due: [StateStore.Timer]) {
        timers = .allocate(capacity: max(due.count, 1))
        for (index, timer) in due.enumerated() {
            let key = Array(timer.key.utf8)
            let bytes = UnsafeMutablePointer<UInt8>.allocate(capacity: max(key.count, 1))
            bytes.initialize(from: key, count: key.count)
            allocations.append(UnsafeMutableRawPointer(bytes))
            timers[index] = sluice_timer(clock: timer.clock, due_ms: timer.due, key: UnsafePointer(bytes), key_len: key.count)
        }
        let topicName = strdup(topic)!
        allocations.append(UnsafeMutableRawPointer(topicName))
        pointer = .allocate(capacity: 1)
        pointer.initialize(to: sluice_timer_batch(
            struct_size: UInt32(MemoryLayout<sluice_timer_batch>.size), id: id, topic: UnsafePointer(topicName),
            partition: partition, partition_state: partitionState, now_ms: now, stream_time_ms: streamTime,
            count: due.count, timers: UnsafePointer(timers)))
    }

    deinit {
        allocations.forEach { $0.deallocate() }
        timers.deallocate()
        pointer.deallocate()
    }
}
