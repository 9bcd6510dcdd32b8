import CSluicePlugin
import SluiceIsolationWire

/// Part of a batch (all of it, until a crash splits it) or a timer batch,
/// as sent to a runner: what it covers, how often it crashed a runner, and
/// where its bytes are.
final class IsolatedPiece: @unchecked Sendable {
    // @unchecked: guarded by the owning instance's lock.
    /// The host's batch id (of the records' batch, or of the timer batch).
    let hostBatchID: UInt64
    /// The records of the host batch it covers (empty for timers).
    let range: Range<Int>
    /// Whether it came from splitting a batch that crashed its runner twice
    /// (one crash is then enough to split it again).
    let isSplit: Bool
    /// The timer batch's frame payload and who waits for its status; nil for records.
    let timers: (payload: [UInt8], reply: ReplyWaiter)?
    /// How many runners it crashed.
    var crashes = 0
    /// Its bytes in the shared region, once written.
    var allocation: (offset: Int, length: Int)?
    /// The slots behind ``allocation`` (at least its length).
    var slotLength = 0
    /// Its bytes when they do not fit the shared region.
    var inlineBytes: [UInt8]?
    /// The wire id it was last sent under, and when.
    var wireID: UInt64 = 0
    var sentAt: Duration = .zero
    /// The order it was first made in, kept across resends.
    let order: UInt64

    init(hostBatchID: UInt64, range: Range<Int>, isSplit: Bool, order: UInt64,
         timers: (payload: [UInt8], reply: ReplyWaiter)? = nil) {
        self.hostBatchID = hostBatchID
        self.range = range
        self.isSplit = isSplit
        self.order = order
        self.timers = timers
    }

    /// Whether `first` goes to a runner before `second`: by the order the
    /// batches came in, then (halves of one batch share it) by first record.
    static func sendsBefore(_ first: IsolatedPiece, _ second: IsolatedPiece) -> Bool {
        (first.order, first.range.lowerBound) < (second.order, second.range.lowerBound)
    }

    /// How many crashes it takes before the piece is split or its record dead-lettered.
    var crashLimit: Int { isSplit ? 1 : 2 }
}

/// A host batch handed to an isolated agent, until all its records are finished.
final class IsolatedBatch: @unchecked Sendable {
    // @unchecked: guarded by the owning instance's lock; the batch memory is
    // the host's, borrowed until complete().
    let batch: UnsafeMutablePointer<sluice_batch>
    /// Records not finished yet.
    var remaining: Int
    /// A piece said FATAL.
    var fatal = false

    init(_ batch: UnsafeMutablePointer<sluice_batch>) {
        self.batch = batch
        remaining = batch.pointee.count
    }
}
