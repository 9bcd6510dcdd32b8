import CSluicePlugin
import SluiceIsolationWire
import Synchronization

/// One batch (or timer batch) open in the runner: what the plugin asked of
/// the host while handling it, kept until the batch is finished and sent in
/// one frame, so a batch whose runner crashes leaves nothing behind in the
/// host. Its own state writes are read back from ``overlay``.
final class RunnerBatch: @unchecked Sendable {
    // @unchecked: `batch` is the plugin's while it runs; everything else is behind `state`.
    let wireID: UInt64
    /// The records, when it is a batch of records.
    let decoded: DecodedBatch?
    /// The batch's bytes when they came inline (the runner owns them); nil in the shared region.
    let inlineBytes: UnsafeMutableRawBufferPointer?
    /// The struct handed to on_batch.
    let batch: UnsafeMutablePointer<sluice_batch>
    private let topic: UnsafeMutablePointer<CChar>

    struct State {
        var operations = WireWriter(capacity: 64)
        /// Writes of this batch by table and key (nil value: deleted).
        var overlay: [[UInt8]: [UInt8]?] = [:]
        var returnedPending = false
        var completedStatus: Int32?
        var sent = false
    }

    let state = Mutex(State())

    init(wireID: UInt64, decoded: DecodedBatch?, inlineBytes: UnsafeMutableRawBufferPointer?, topic: String,
         partition: Int32, attempt: UInt32, partitionState: UnsafeMutableRawPointer?) {
        self.wireID = wireID
        self.decoded = decoded
        self.inlineBytes = inlineBytes
        self.topic = strdup(topic)
        batch = .allocate(capacity: 1)
        batch.initialize(to: sluice_batch(
            id: wireID, topic: UnsafePointer(self.topic), partition: partition, attempt: attempt,
            partition_state: partitionState, count: decoded?.count ?? 0,
            messages: decoded.map { UnsafePointer($0.messages) }, results: decoded?.results))
    }

    deinit {
        batch.deallocate()
        free(topic)
        inlineBytes?.deallocate()
    }

    /// The overlay key of `key` in `table`.
    static func overlayKey(table: UnsafeRawBufferPointer, key: UnsafeRawBufferPointer) -> [UInt8] {
        var bytes = [UInt8]()
        bytes.reserveCapacity(table.count + 1 + key.count)
        bytes.append(contentsOf: table)
        bytes.append(0)
        bytes.append(contentsOf: key)
        return bytes
    }

    /// The `batchDone` payload: status, the results when inline, then the operations.
    func donePayload(status: Int32) -> [UInt8] {
        var writer = WireWriter(capacity: 64 + (inlineBytes == nil ? 0 : decoded?.count ?? 0))
        writer.i32(status)
        if let decoded, inlineBytes != nil {
            writer.u8(1)
            writer.data(UnsafeRawBufferPointer(start: decoded.results, count: decoded.count))
        } else {
            writer.u8(0)
        }
        var payload = writer.bytes
        state.withLock { payload.append(contentsOf: $0.operations.bytes) }
        return payload
    }
}
