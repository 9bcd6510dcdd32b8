/// What the SDK stores in `partition_state` for one assigned partition: the
/// agent's own state, and (for ``Agent``s) the task of the partition's latest
/// batch, so the next batch's task runs after it and order is kept.
///
/// @unchecked Sendable: `userState` is written once in `open`, before any
/// batch of the partition; `tail` is only touched in `on_batch`, which the
/// header never runs concurrently for one partition.
@usableFromInline
final class PartitionSlot: @unchecked Sendable {
    let userState: AnyObject?
    var tail: Task<Void, Never>?
    /// The highest record timestamp handled on the partition since it was
    /// assigned (-1: none yet); written by the partition's one running batch.
    var streamTime: Int64 = -1
    /// Whether the agent's declared timers were scheduled by a batch of the
    /// partition whose writes stood.
    var declaredTimersStarted = false

    init(userState: AnyObject?) {
        self.userState = userState
    }

    /// Moves ``streamTime`` up to `timestamp` (never back).
    @usableFromInline func advanceStreamTime(to timestamp: Int64) {
        streamTime = max(streamTime, timestamp)
    }
}
