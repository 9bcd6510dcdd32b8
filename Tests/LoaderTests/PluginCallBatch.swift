import CSluicePlugin
import Foundation

/// A `sluice_batch` of records built in memory owned by the test, for calling
/// a plugin's on_batch directly. The memory lives until the value is deinitialized.
final class PluginCallBatch {
    /// One record: key and value as text (nil: null), and its timestamp.
    struct Record {
        let key: String?
        let value: String?
        let timestampMs: Int64
    }

    private var allocations: [UnsafeMutableRawPointer] = []
    private let messages: UnsafeMutablePointer<sluice_message>
    private let results: UnsafeMutablePointer<UInt8>
    private let count: Int
    /// The batch to pass to on_batch.
    let batch: UnsafeMutablePointer<sluice_batch>

    /// A batch of `records` of partition 0 of `topic`.
    init(id: UInt64, topic: String, _ records: [Record]) {
        count = records.count
        messages = .allocate(capacity: max(records.count, 1))
        results = .allocate(capacity: max(records.count, 1))
        results.initialize(repeating: UInt8(SLUICE_RESULT_OK.rawValue), count: max(records.count, 1))
        batch = .allocate(capacity: 1)
        for (index, record) in records.enumerated() {
            let key = record.key.map(copy)
            let value = record.value.map(copy)
            (messages + index).initialize(to: sluice_message(
                offset: Int64(index), timestamp_ms: record.timestampMs,
                key: key?.pointer, key_len: key?.count ?? 0, value: value?.pointer, value_len: value?.count ?? 0,
                headers: nil, header_count: 0))
        }
        let topicText = copy(topic)
        batch.initialize(to: sluice_batch(
            id: id, topic: UnsafeRawPointer(topicText.pointer).assumingMemoryBound(to: CChar.self), partition: 0, attempt: 1,
            partition_state: nil, count: records.count, messages: messages, results: results))
    }

    deinit {
        for allocation in allocations { allocation.deallocate() }
        messages.deallocate()
        results.deallocate()
        batch.deallocate()
    }

    /// The results the plugin wrote, as sluice_result values.
    var resultValues: [sluice_result] {
        (0..<count).map { sluice_result(rawValue: UInt32(results[$0])) }
    }

    /// A NUL-terminated copy of `text`, freed with the batch.
    private func copy(_ text: String) -> (pointer: UnsafePointer<UInt8>, count: Int) {
        let bytes = Array(text.utf8)
        let memory = UnsafeMutableRawPointer.allocate(byteCount: bytes.count + 1, alignment: 1)
        allocations.append(memory)
        memory.copyMemory(from: bytes + [0], byteCount: bytes.count + 1)
        return (UnsafePointer(memory.assumingMemoryBound(to: UInt8.self)), bytes.count)
    }
}
