/// When a windowed table hands a window's value to the agent.
public enum WindowEmitPolicy: Sendable, Equatable {
    /// Once, when the window closes (its end plus the grace period passed on
    /// stream time or on the wall clock): the final value.
    case onClose
    /// After every update, with the value so far; nothing more is emitted
    /// when the window closes (its entries are only removed then).
    case onUpdate
}
