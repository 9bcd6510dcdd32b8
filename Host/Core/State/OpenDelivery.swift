#if canImport(Glibc)
import Glibc
#endif

/// A delivery open on a partition's state, from the moment it is handed to
/// the plugin until it settles: what the plugin's state calls for its batch
/// reach, and the writes they stage.
///
/// The state calls find it by batch id through their agent's `AgentState`;
/// on the worker thread that is running the batch, without a lock (see
/// `CurrentStateDelivery`).
final class OpenDelivery: @unchecked Sendable {
    /// The batch id the plugin's calls name.
    let id: UInt64
    /// The partition's state the delivery reads and writes.
    let partition: PartitionState
    /// The agent's state, which tells this delivery apart from another agent's of the same id.
    unowned let agent: AgentState

    // Guarded by `partition`'s lock (hence `@unchecked Sendable`).

    /// The delivery's writes (nil: deleted), which only it sees until it settles.
    var writes: [StateKey: [UInt8]?] = [:]
    /// The stream time the delivery sees.
    var streamTime: Int64 = -1
    /// Timers a timer delivery is firing (cleared or due again when it settles).
    var firing: [TimerKey] = []
    /// The partition's stored key of the last value read: a read-modify-write
    /// (`state_get` then `state_put` of the same key) stages the put under it
    /// without hashing or copying the key again.
    var lastReadKey: StateKey?
    /// False once it settled: a late call of the plugin is refused.
    var isOpen = true

    init(id: UInt64, partition: PartitionState, agent: AgentState) {
        self.id = id
        self.partition = partition
        self.agent = agent
    }
}

/// The stateful delivery the calling worker thread is handing to its plugin,
/// if any: the plugin's state calls during `on_batch` find their delivery
/// here without taking the agent's open-batch lock. Calls from other threads
/// (a PENDING batch completed later) look it up by id.
enum CurrentStateDelivery {
    /// The calling thread's delivery (retained while it is set).
    static var delivery: OpenDelivery? {
        pthread_getspecific(currentStateDeliveryKey).map { Unmanaged<OpenDelivery>.fromOpaque($0).takeUnretainedValue() }
    }

    /// The calling thread hands `delivery` to its plugin until `leave()`.
    static func enter(_ delivery: OpenDelivery) {
        // Retained: a batch timeout can settle the delivery while the plugin still runs.
        pthread_setspecific(currentStateDeliveryKey, Unmanaged.passRetained(delivery).toOpaque())
    }

    /// The plugin's call returned.
    static func leave() {
        guard let current = pthread_getspecific(currentStateDeliveryKey) else { return }
        pthread_setspecific(currentStateDeliveryKey, nil)
        Unmanaged<OpenDelivery>.fromOpaque(current).release()
    }
}

private let currentStateDeliveryKey: pthread_key_t = {
    var key = pthread_key_t()
    precondition(pthread_key_create(&key, nil) == 0, "pthread_key_create failed: errno \(errno)")
    return key
}()
