/// A value handed to a waiting thread that is safe to use there but not
/// marked `Sendable` (a `Process`, a librdkafka handle): the test that owns
/// it uses it one call at a time.
public struct UncheckedSendable<Value>: @unchecked Sendable {
    /// The value.
    public let value: Value

    /// Wraps `value`.
    public init(_ value: Value) { self.value = value }
}
