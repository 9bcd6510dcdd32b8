import CSluicePlugin
import Foundation

/// A `sluice_batch` with real bytes, owned by the test (as the host would own
/// it): messages, keys, values, headers and results stay allocated until the
/// object goes away.
final class TestBatch {
    struct Input {
        var key: String?
        var value: String?
        var headers: [(String, String)] = []
        /// The record timestamp; nil: 1_700_000_000_000 + the message's index.
        var timestamp: Int64? = nil
    }

    let pointer: UnsafeMutablePointer<sluice_batch>
    private let allocations: [UnsafeMutableRawPointer]

    init(id: UInt64, topic: String = "orders", partition: Int32 = 0, firstOffset: Int64 = 100, _ inputs: [Input],
         partitionState: UnsafeMutableRawPointer? = nil) {
        var allocations: [UnsafeMutableRawPointer] = []
        func bytes(_ text: String) -> UnsafeMutablePointer<UInt8> {
            let utf8 = Array(text.utf8)
            let memory = UnsafeMutablePointer<UInt8>.allocate(capacity: max(utf8.count, 1))
            memory.initialize(from: utf8, count: utf8.count)
            allocations.append(UnsafeMutableRawPointer(memory))
            return memory
        }
        let messages = UnsafeMutablePointer<sluice_message>.allocate(capacity: max(inputs.count, 1))
        allocations.append(UnsafeMutableRawPointer(messages))
        for (index, input) in inputs.enumerated() {
            let headers = UnsafeMutablePointer<sluice_header>.allocate(capacity: max(input.headers.count, 1))
            allocations.append(UnsafeMutableRawPointer(headers))
            for (headerIndex, header) in input.headers.enumerated() {
                headers[headerIndex] = sluice_header(
                    name: UnsafeRawPointer(bytes(header.0)).assumingMemoryBound(to: CChar.self), name_len: header.0.utf8.count,
                    value: bytes(header.1), value_len: header.1.utf8.count)
            }
            messages[index] = sluice_message(
                offset: firstOffset + Int64(index), timestamp_ms: input.timestamp ?? (1_700_000_000_000 + Int64(index)),
                key: input.key.map { UnsafePointer(bytes($0)) }, key_len: input.key?.utf8.count ?? 0,
                value: input.value.map { UnsafePointer(bytes($0)) }, value_len: input.value?.utf8.count ?? 0,
                headers: UnsafePointer(headers), header_count: input.headers.count)
        }
        let results = UnsafeMutablePointer<UInt8>.allocate(capacity: max(inputs.count, 1))
        results.initialize(repeating: UInt8(SLUICE_RESULT_OK.rawValue), count: max(inputs.count, 1))
        allocations.append(UnsafeMutableRawPointer(results))
        let topicName = strdup(topic)!
        allocations.append(UnsafeMutableRawPointer(topicName))
        self.allocations = allocations
        pointer = .allocate(capacity: 1)
        pointer.initialize(to: sluice_batch(
            id: id, topic: UnsafePointer(topicName), partition: partition, attempt: 1,
            partition_state: partitionState, count: inputs.count, messages: UnsafePointer(messages), results: results))
    }

    /// Shorthand: messages with these values and keys `k0`, `k1`, ...
    convenience init(id: UInt64, values: [String?], partitionState: UnsafeMutableRawPointer? = nil) {
        self.init(id: id, values.enumerated().map { Input(key: "k\($0.offset)", value: $0.element) },
                  partitionState: partitionState)
    }

    deinit {
        allocations.forEach { $0.deallocate() }
        pointer.deallocate()
    }

    var id: UInt64 { pointer.pointee.id }

    /// Leaks the batch on purpose: after a timeout a plugin task may still read it.
    func keepAliveForever() { _ = Unmanaged.passRetained(self) }

    /// The results as written by the plugin.
    var results: [sluice_result] {
        (0..<pointer.pointee.count).map { sluice_result(rawValue: UInt32(pointer.pointee.results[$0])) }
    }
}
