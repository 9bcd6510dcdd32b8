#if canImport(Glibc)
import Glibc
#endif

/// One worker thread's slot in the memory-mapped crash journal: what the
/// thread is handing to a plugin right now. Written on the hot path with
/// plain stores into the shared mapping (no system call, no allocation, no
/// lock, no fsync): a process that dies keeps them, because the page cache
/// outlives it.
struct CrashJournalSlot {
    /// The slot's first byte inside the mapping.
    let base: UnsafeMutableRawPointer

    /// The calling thread's slot, or nil (a thread of no journaled pool, or past the slot count).
    @inline(__always)
    static var current: CrashJournalSlot? {
        pthread_getspecific(crashJournalSlotKey).map(CrashJournalSlot.init(base:))
    }

    /// Makes `slot` the calling thread's (nil: none).
    static func attachToCurrentThread(_ slot: CrashJournalSlot?) {
        pthread_setspecific(crashJournalSlotKey, slot.map { UnsafeRawPointer($0.base) })
    }

    /// Creates the thread-local key; the fatal-signal handler must never be the first to touch it.
    static func prepareKey() { _ = crashJournalSlotKey }

    /// Notes a call of `agent` about to handle `records` records `first...last`
    /// of `topic` `partition` (`records` 0: a delivery of timers). The state is
    /// stored last, so a slot marked in a call is always complete.
    @inline(__always)
    func begin(agent: UnsafeRawBufferPointer, topic: UnsafePointer<CChar>, topicLength: Int, partition: Int32,
               first: Int64, last: Int64, records: Int) {
        typealias Layout = CrashJournalLayout
        let agentLength = min(agent.count, Layout.agentCapacity)
        let storedTopicLength = min(topicLength, Layout.topicCapacity)
        base.storeBytes(of: 0, toByteOffset: Layout.signalOffset, as: Int32.self)
        base.storeBytes(of: partition.littleEndian, toByteOffset: Layout.partitionOffset, as: Int32.self)
        base.storeBytes(of: UInt16(agentLength).littleEndian, toByteOffset: Layout.agentLengthOffset, as: UInt16.self)
        base.storeBytes(of: UInt16(storedTopicLength).littleEndian, toByteOffset: Layout.topicLengthOffset, as: UInt16.self)
        base.storeBytes(of: first.littleEndian, toByteOffset: Layout.firstOffsetOffset, as: Int64.self)
        base.storeBytes(of: last.littleEndian, toByteOffset: Layout.lastOffsetOffset, as: Int64.self)
        base.storeBytes(of: UInt32(clamping: records).littleEndian, toByteOffset: Layout.recordsOffset, as: UInt32.self)
        if agentLength > 0 { (base + Layout.agentOffset).copyMemory(from: agent.baseAddress!, byteCount: agentLength) }
        (base + Layout.topicOffset).copyMemory(from: topic, byteCount: storedTopicLength)
        base.storeBytes(of: Layout.stateInCall.littleEndian, toByteOffset: Layout.stateOffset, as: UInt32.self)
    }

    /// The call returned: the slot is free again.
    @inline(__always)
    func end() {
        base.storeBytes(of: CrashJournalLayout.stateFree, toByteOffset: CrashJournalLayout.stateOffset, as: UInt32.self)
    }

    /// From the fatal-signal handler (async-signal-safe: two plain memory
    /// accesses): notes `signal` when the slot is in a call.
    @inline(__always)
    func recordSignal(_ signal: Int32) {
        let state = UInt32(littleEndian: base.load(fromByteOffset: CrashJournalLayout.stateOffset, as: UInt32.self))
        guard state == CrashJournalLayout.stateInCall else { return }
        base.storeBytes(of: signal.littleEndian, toByteOffset: CrashJournalLayout.signalOffset, as: Int32.self)
    }
}

/// The thread-local crash journal slot of a worker thread (a pointer into the mapping), or nil.
let crashJournalSlotKey: pthread_key_t = {
    var key = pthread_key_t()
    precondition(pthread_key_create(&key, nil) == 0, "pthread_key_create failed: errno \(errno)")
    return key
}()
