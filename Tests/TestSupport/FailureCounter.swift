import Foundation

/// Counts failures reported from acknowledgement callbacks (any thread).
public final class FailureCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0

    public init() {}

    public func add() { lock.withLock { value += 1 } }
    public var count: Int { lock.withLock { value } }
}
