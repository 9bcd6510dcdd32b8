import Dispatch

/// One answer, waited for by the thread that asked (host and runner alike):
/// fulfilled once, by the thread that reads the answer or finds the peer gone.
public final class ReplyWaiter: @unchecked Sendable {
    // @unchecked: `payload` is written once, before `ready` is signalled, and read after.
    private let ready = DispatchSemaphore(value: 0)
    private var payload: [UInt8]?

    /// A waiter with no answer yet.
    public init() {}

    /// Hands over the answer (nil: none will come).
    public func fulfil(_ payload: [UInt8]?) {
        self.payload = payload
        ready.signal()
    }

    /// Waits for the answer, blocking the calling thread (never a cooperative one).
    public func wait() -> [UInt8]? {
        ready.wait()
        return payload
    }
}
