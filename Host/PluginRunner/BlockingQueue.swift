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
