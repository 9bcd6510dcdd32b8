#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The produce tally the calling thread last produced through, with its
/// batch id: a plugin produces a batch's records one after another from one
/// thread, so after the first record the rest find their delivery's tally
/// here, without the agent's lock.
///
/// Keeps only the tally (a counter), never the delivery or its records; a
/// thread's entry is replaced by its next batch's and released when the
/// thread ends.
enum ProducingThread {
    /// The tally remembered for `batchID` on this thread, if any.
    static func tally(for batchID: UInt64) -> ProduceTally? {
        guard let raw = pthread_getspecific(producingThreadKey) else { return nil }
        let entry = Unmanaged<Entry>.fromOpaque(raw).takeUnretainedValue()
        return entry.batchID == batchID ? entry.tally : nil
    }

    /// Remembers `tally` as batch `batchID`'s on this thread.
    static func remember(_ tally: ProduceTally, for batchID: UInt64) {
        let previous = pthread_getspecific(producingThreadKey)
        pthread_setspecific(producingThreadKey, Unmanaged.passRetained(Entry(batchID: batchID, tally: tally)).toOpaque())
        if let previous { Unmanaged<Entry>.fromOpaque(previous).release() }
    }

    fileprivate final class Entry {
        let batchID: UInt64
        let tally: ProduceTally

        init(batchID: UInt64, tally: ProduceTally) {
            self.batchID = batchID
            self.tally = tally
        }
    }
}

private let producingThreadKey: pthread_key_t = {
    var key = pthread_key_t()
    let status = pthread_key_create(&key) { raw in
        // The thread ended: let its entry go.
        guard let raw else { return }
        Unmanaged<ProducingThread.Entry>.fromOpaque(raw).release()
    }
    precondition(status == 0, "pthread_key_create failed: errno \(errno)")
    return key
}()
