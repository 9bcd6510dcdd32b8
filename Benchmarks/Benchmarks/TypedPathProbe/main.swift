// S11's typed path, in-process and deterministic: S11's typed agent driven
// through its C surface (create, open, on_batch, complete) by a minimal
// ABI 1.0 host, one batch of 500 feed activities at a time, nothing else
// running. `tools/bench/s11-instructions` runs it under callgrind twice (with
// few and with many batches) and divides the difference of the instruction
// counts by the records: what the typed path costs per record, free of the
// timing noise of a shared machine.
//
//   TypedPathProbe [BATCHES]          # default 200; prints the wall time per record
//   TypedPathProbe encode [BATCHES]   # the producing side instead: the same activities
//                                     # encoded by the SDK's RecordEncoder, as `produce` does
import CSluicePlugin
import Foundation
import S11TypedAgent
import SluiceSDK

/// The host side: every call answered, `complete` handed to the waiting main thread.
final class ProbeHost: @unchecked Sendable {
    // @unchecked: `completed` is guarded by `condition`.
    let condition = NSCondition()
    var completed: UInt64 = 0

    static func from(_ handle: OpaquePointer?) -> ProbeHost {
        Unmanaged<ProbeHost>.fromOpaque(UnsafeRawPointer(handle!)).takeUnretainedValue()
    }

    func waitForCompletion(of batchID: UInt64) {
        condition.lock()
        while completed != batchID { condition.wait() }
        condition.unlock()
    }
}

let encodes = CommandLine.arguments.dropFirst().first == "encode"
let batches = CommandLine.arguments.dropFirst(encodes ? 2 : 1).first.flatMap { Int($0) } ?? 200
let recordsPerBatch = 500

/// A feed activity as fill_producer writes it; record `index` of a batch is
/// the same activity in both modes (as JSON text to decode, as a value to encode).
struct Activity: Encodable {
    let user: String, message: String, timestamp: String

    init(_ index: Int) {
        func digits(_ number: Int) -> String { String(repeating: "0", count: 12 - String(number).count) + String(number) }
        user = "user:\(digits(index * 7 % 1000))"
        message = "message \(digits(index * 13 % 1000)) from the benchmark"
        timestamp = "2019-05-21T13:55:12.123Z"
    }
}

if encodes {
    let activities = (0..<recordsPerBatch).map(Activity.init)
    let encoder = RecordEncoder()
    var written = 0
    let start = DispatchTime.now().uptimeNanoseconds
    for _ in 0..<batches {
        for activity in activities {
            written &+= try encoder.withEncoded(activity) { $0.count }
        }
    }
    let elapsed = DispatchTime.now().uptimeNanoseconds - start
    print("records=\(batches * recordsPerBatch) bytes=\(written) ns_per_record=\(Double(elapsed) / Double(batches * recordsPerBatch))")
    exit(0)
}
let host = ProbeHost()
var api = sluice_host_api()
api.struct_size = UInt32(MemoryLayout<sluice_host_api>.offset(of: \.trace_context)!) // an ABI 1.0 host
api.abi_major = UInt16(SLUICE_ABI_MAJOR)
api.abi_minor = 0
api.log = { _, _, _, _ in }
api.produce = { _, _, _, _, _, _, _, _, _, _, _ in SLUICE_STATUS_ERROR }
api.complete = { handle, batchID, _ in
    let host = ProbeHost.from(handle)
    host.condition.lock()
    host.completed = batchID
    host.condition.signal()
    host.condition.unlock()
}
api.set_error = { _, _, _, _, _ in }
api.counter_add = { _, _, _, _ in }
api.gauge_set = { _, _, _, _ in }
api.histogram_record = { _, _, _, _ in }

guard let entry = sluicePluginEntry(UInt16(SLUICE_ABI_MAJOR), 0) else { fatalError("the agent declined an ABI 1.0 host") }
let descriptor = entry.assumingMemoryBound(to: sluice_plugin_descriptor.self)
var instance: UnsafeMutableRawPointer?
var failure = [CChar](repeating: 0, count: 512)
let handle = OpaquePointer(Unmanaged.passUnretained(host).toOpaque())
// The descriptor's create_v2 (with its context) when it has one, as the host prefers.
let created = if let create = descriptor.pointee.create_v2 {
    create(descriptor.pointee.context, &api, handle, "{}", 2, &instance, &failure, failure.count)
} else {
    descriptor.pointee.create!(&api, handle, "{}", 2, &instance, &failure, failure.count)
}
guard created == SLUICE_STATUS_OK, let instance else {
    fatalError("create failed: \(String(decoding: failure.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))")
}
var partitionState: UnsafeMutableRawPointer?
_ = descriptor.pointee.open.map { $0(instance, "feed_activities", 0, &partitionState) }

// One set of messages, keys and values in one buffer, shared by every batch:
// the shape fill_producer writes for feed activities.
var text: [UInt8] = []
var spans: [(key: Int, keyCount: Int, value: Int, valueCount: Int)] = []
for index in 0..<recordsPerBatch {
    let key = Array(String(index).utf8)
    let activity = Activity(index)
    let value = Array(#"{"user":"\#(activity.user)","message":"\#(activity.message)","timestamp":"\#(activity.timestamp)"}"#.utf8)
    spans.append((text.count, key.count, text.count + key.count, value.count))
    text += key + value
}
let bytes = UnsafeMutablePointer<UInt8>.allocate(capacity: text.count)
bytes.initialize(from: text, count: text.count)
let messages = UnsafeMutablePointer<sluice_message>.allocate(capacity: recordsPerBatch)
let noHeaders = UnsafeMutablePointer<sluice_header>.allocate(capacity: 1)
for (index, span) in spans.enumerated() {
    messages[index] = sluice_message(
        offset: Int64(index), timestamp_ms: 1_700_000_000_000 + Int64(index),
        key: UnsafePointer(bytes + span.key), key_len: span.keyCount,
        value: UnsafePointer(bytes + span.value), value_len: span.valueCount,
        headers: UnsafePointer(noHeaders), header_count: 0)
}
let results = UnsafeMutablePointer<UInt8>.allocate(capacity: recordsPerBatch)
let topic = strdup("feed_activities")!
let batch = UnsafeMutablePointer<sluice_batch>.allocate(capacity: 1)

let start = DispatchTime.now().uptimeNanoseconds
for id in 1...UInt64(batches) {
    results.initialize(repeating: UInt8(SLUICE_RESULT_RETRY.rawValue), count: recordsPerBatch)
    batch.initialize(to: sluice_batch(id: id, topic: UnsafePointer(topic), partition: 0, attempt: 1,
                                      partition_state: partitionState, count: recordsPerBatch,
                                      messages: UnsafePointer(messages), results: results))
    if descriptor.pointee.on_batch!(instance, batch) == Int32(SLUICE_BATCH_PENDING.rawValue) {
        host.waitForCompletion(of: id)
    }
}
let elapsed = DispatchTime.now().uptimeNanoseconds - start
guard (0..<recordsPerBatch).allSatisfy({ results[$0] == UInt8(SLUICE_RESULT_OK.rawValue) }) else {
    fatalError("a record did not come back OK")
}
descriptor.pointee.close.map { $0(instance, "feed_activities", 0, partitionState) }
descriptor.pointee.destroy!(instance)
print("records=\(batches * recordsPerBatch) ns_per_record=\(Double(elapsed) / Double(batches * recordsPerBatch))")
