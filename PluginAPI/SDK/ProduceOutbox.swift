import CSluicePlugin
import Foundation

/// The records one batch produces through its ``AgentContext``, gathered and
/// handed to the host together (`produce_batch`, ABI 1.3) instead of one
/// host call per record.
///
/// Crossing into the host per record cost the producing typed agent more
/// than decoding and encoding together: each call checked the batch,
/// counted the record and, on `memory://`, took the broker's lock, while the
/// instance's other threads did the same. Gathered, the host does that once
/// per batch.
///
/// Records keep their order. They go to the host when the batch's records
/// are all handled (before its results do), when the topic changes, and
/// whenever ``flushRecords`` records or ``flushBytes`` bytes are waiting, so
/// an agent that produces much per batch does not hold it all. A hand-over
/// the host refuses throws from the `produce` call that made it, and again
/// at the batch's end, which then sends the whole batch round again: records
/// handled before it already had their results.
///
/// A lock guards the records: a `handle` may produce from child tasks.
final class ProduceOutbox: @unchecked Sendable {
    // @unchecked: `waiting` is guarded by `lock`; the rest is immutable and Sendable.
    /// Records waiting that make the next produce flush.
    static let flushRecords = 512
    /// Waiting key, value and header bytes that make the next produce flush.
    static let flushBytes = 1 << 20

    private let host: HostServices
    private let batchID: UInt64
    private let encoders: ReusableRecordEncoder?
    private let lock = NSLock()
    private var waiting = Waiting()

    /// Whether `host` takes gathered records (its table has `produce_batch`).
    static func isSupported(by host: HostServices) -> Bool {
        host.producesBatches
    }

    /// An empty outbox for batch `batchID`; `encoders` lends the one that
    /// encodes JSON values (nil: one per value).
    init(host: HostServices, batchID: UInt64, encoders: ReusableRecordEncoder?) {
        self.host = host
        self.batchID = batchID
        self.encoders = encoders
    }

    /// Adds a record (flushing first when the topic changes or the outbox
    /// is full). False, adding nothing, once the batch's records were handed
    /// over for good (``finish()``): the caller produces the record itself,
    /// and the host refuses it if the batch is finished.
    func produce(topic: String, key: (any RecordBytes)?, value: (any RecordBytes)?,
                 headers: [RecordHeader], partition: Int32?) throws(ProduceError) -> Bool {
        guard !topic.isEmpty else { throw ProduceError(topic: topic, reason: "the topic name is empty") }
        lock.lock()
        defer { lock.unlock() }
        guard !waiting.finished else { return false }
        try makeRoom(in: &waiting, for: topic)
        if let value {
            value.withRecordBytes { waiting.append(key: key, value: $0, headers: headers, partition: partition) }
        } else {
            waiting.append(key: key, value: nil, headers: headers, partition: partition)
        }
        return true
    }

    /// Adds a record whose value is `value` encoded as JSON by the encoder
    /// the outbox borrowed for its batch; false as for the other `produce`.
    func produce(topic: String, key: (any RecordBytes)?, json value: some Encodable,
                 headers: [RecordHeader], partition: Int32?) throws -> Bool {
        guard !topic.isEmpty else { throw ProduceError(topic: topic, reason: "the topic name is empty") }
        lock.lock()
        defer { lock.unlock() }
        guard !waiting.finished else { return false }
        try makeRoom(in: &waiting, for: topic)
        let encoder: RecordEncoder
        if let lent = waiting.encoder {
            encoder = lent
        } else {
            encoder = encoders?.take() ?? RecordEncoder()
            waiting.encoder = encoder
        }
        try encoder.withEncoded(value) { bytes in
            waiting.append(key: key, value: bytes, headers: headers, partition: partition)
        }
        return true
    }

    deinit {
        // The encoder goes back to the instance's pool for the next batch.
        if let encoders, let encoder = waiting.encoder { encoders.giveBack(encoder) }
    }

    /// Hands every waiting record to the host, for good: the batch's records
    /// are all handled. Throws the first refusal of the batch, this one or
    /// an earlier one: records handled before a refused hand-over have
    /// results already, so the batch must go round again.
    func finish() throws(ProduceError) {
        lock.lock()
        defer { lock.unlock() }
        waiting.finished = true
        try send(&waiting)
        if let refusal = waiting.refusal { throw refusal }
    }

    private func makeRoom(in waiting: inout Waiting, for topic: String) throws(ProduceError) {
        if waiting.topic != topic {
            try send(&waiting)
            waiting.topic = topic
        } else if waiting.entries.count >= Self.flushRecords || waiting.bytes.count >= Self.flushBytes {
            try send(&waiting)
        }
    }

    private func send(_ waiting: inout Waiting) throws(ProduceError) {
        guard !waiting.entries.isEmpty, let topic = waiting.topic else { return }
        defer { waiting.removeAll() }
        do {
            try waiting.withRecords { records throws(ProduceError) in
                try host.produceBatch(batchID: batchID, topic: topic, records: records)
            }
        } catch {
            if waiting.refusal == nil { waiting.refusal = error }
            throw error
        }
    }

    /// The records not yet sent, as offsets into one byte buffer (it may
    /// grow and move while records are added; pointers are made at the send).
    private struct Waiting {
        struct Entry {
            var partition: Int32
            /// Start in `bytes`, or -1 for null.
            var keyStart: Int
            var keyCount: Int
            var valueStart: Int
            var valueCount: Int
            /// First header in `headers`.
            var headerStart: Int
            var headerCount: Int
        }
        struct HeaderEntry {
            var nameStart: Int
            var nameCount: Int
            var valueStart: Int
            var valueCount: Int
        }

        var topic: String?
        /// The first hand-over the host refused.
        var refusal: ProduceError?
        /// Set by `finish()`: later records are not gathered.
        var finished = false
        /// The encoder taken from the instance's pool for this batch's JSON values.
        var encoder: RecordEncoder?
        var bytes: [UInt8] = []
        var entries: [Entry] = []
        var headers: [HeaderEntry] = []
        /// Kept between sends: the C arrays handed to the host.
        var records: [sluice_produce_record] = []
        var cHeaders: [sluice_header] = []

        /// Copies a record in; `value` nil is a null value (a tombstone).
        mutating func append(key: (any RecordBytes)?, value: UnsafeRawBufferPointer?,
                             headers newHeaders: [RecordHeader], partition: Int32?) {
            var entry = Entry(partition: partition ?? Int32(SLUICE_PARTITION_ANY), keyStart: -1, keyCount: 0,
                              valueStart: -1, valueCount: 0, headerStart: headers.count, headerCount: newHeaders.count)
            if let key {
                entry.keyStart = bytes.count
                key.withRecordBytes { bytes.append(contentsOf: $0) }
                entry.keyCount = bytes.count - entry.keyStart
            }
            if let value {
                entry.valueStart = bytes.count
                bytes.append(contentsOf: value)
                entry.valueCount = value.count
            }
            for header in newHeaders {
                let nameStart = bytes.count
                bytes.append(contentsOf: header.name.utf8)
                let valueStart = bytes.count
                bytes.append(contentsOf: header.value)
                headers.append(HeaderEntry(nameStart: nameStart, nameCount: valueStart - nameStart,
                                           valueStart: valueStart, valueCount: header.value.count))
            }
            entries.append(entry)
        }

        /// Calls `body` with the waiting records as C structs pointing into `bytes`.
        mutating func withRecords<R>(_ body: (UnsafeBufferPointer<sluice_produce_record>) throws(ProduceError) -> R) throws(ProduceError) -> R {
            // One spare byte: an empty key or value still gets a non-NULL pointer (NULL means null).
            bytes.append(0)
            defer { bytes.removeLast() }
            var records = self.records
            var cHeaders = self.cHeaders
            self.records = []
            self.cHeaders = []
            defer {
                records.removeAll(keepingCapacity: true)
                cHeaders.removeAll(keepingCapacity: true)
                self.records = records
                self.cHeaders = cHeaders
            }
            return try bytes.withUnsafeBufferPointer { buffer throws(ProduceError) in
                let base = buffer.baseAddress!
                for header in headers {
                    cHeaders.append(sluice_header(
                        name: UnsafeRawPointer(base + header.nameStart).assumingMemoryBound(to: CChar.self),
                        name_len: header.nameCount, value: base + header.valueStart, value_len: header.valueCount))
                }
                return try cHeaders.withUnsafeBufferPointer { headerBuffer throws(ProduceError) in
                    for entry in entries {
                        records.append(sluice_produce_record(
                            partition: entry.partition,
                            key: entry.keyStart < 0 ? nil : base + entry.keyStart, key_len: entry.keyCount,
                            value: entry.valueStart < 0 ? nil : base + entry.valueStart, value_len: entry.valueCount,
                            headers: entry.headerCount == 0 ? nil : headerBuffer.baseAddress! + entry.headerStart,
                            header_count: entry.headerCount))
                    }
                    return try records.withUnsafeBufferPointer { recordBuffer throws(ProduceError) in try body(recordBuffer) }
                }
            }
        }

        mutating func removeAll() {
            bytes.removeAll(keepingCapacity: true)
            entries.removeAll(keepingCapacity: true)
            headers.removeAll(keepingCapacity: true)
        }
    }
}
