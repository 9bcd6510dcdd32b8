import SluiceIsolationWire

/// The frames of an isolated instance's runners, in arrival order, each with
/// the runner generation it came from (nil frame: that runner ended).
final class IsolationFrameQueue: @unchecked Sendable {
    // @unchecked: `items` is guarded by `lock`.
    private let lock = ConditionLock()
    private var items: [(Int, WireFrame?)] = []
    private var head = 0

    func push(_ generation: Int, _ frame: WireFrame?) {
        lock.withLock {
            items.append((generation, frame))
            lock.broadcast()
        }
    }

    /// The next frame, waiting for one (on the instance's own thread).
    func pop() -> (Int, WireFrame?) {
        lock.withLock {
            while head == items.count { _ = lock.wait(timeout: .seconds(3600)) { head < items.count } }
            let item = items[head]
            head += 1
            if head > 1024, head * 2 > items.count {
                items.removeFirst(head)
                head = 0
            }
            return item
        }
    }
}
