#if canImport(Glibc)
import Glibc
#endif

/// The C side of one assigned partition: the topic as a C string (shared by
/// every batch of the partition) and the state the plugin's `open()` returned.
/// Scheduling state lives in the agent's state machine; this holds only what
/// the plugin reads.
///
/// `partitionState` is written by open/close on the agent's control thread,
/// never while a call of the partition runs.
final class PartitionHandle: @unchecked Sendable {
    /// The partition.
    let partition: TopicPartition
    /// The topic name, NUL-terminated, for `sluice_batch.topic` and open/close.
    let topicCString: UnsafeMutablePointer<CChar>
    /// Bytes of the topic name (without the NUL), for the crash journal.
    let topicLength: Int
    /// What the plugin's open() stored.
    var partitionState: UnsafeMutableRawPointer?

    init(partition: TopicPartition) {
        self.partition = partition
        topicCString = strdup(partition.topic)
        topicLength = strlen(topicCString)
    }

    deinit { free(topicCString) }
}
