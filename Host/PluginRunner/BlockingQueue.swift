import Dispatch
import Synchronization

/// A first-in first-out queue whose `pop` waits: the runner's reader thread
/// hands frames to its worker thread through it.
final class BlockingQueue<Element: Sendable>: Sendable {
    private let items = Mutex<[Element]>([])
    private let available = DispatchSemaphore(value: 0)

    func push(_ item: Element) {
        items.withLock { $0.append(item) }
        available.signal()
    }

    func pop() -> Element {
        available.wait()
        return items.withLock { $0.removeFirst() }
    }
}

/// One request's answer, waited for by the thread that sent the request.
final class ReplyWaiter: @unchecked Sendable {
    // @unchecked: `payload` is written once before `ready` is signalled and read after.
    private let ready = DispatchSemaphore(value: 0)
    private var payload: [UInt8]?

    func fulfil(_ payload: [UInt8]?) {
        self.payload = payload
        ready.signal()
    }

    func wait() -> [UInt8]? {
        ready.wait()
        return payload
    }
}
