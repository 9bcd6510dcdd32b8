import CSluicePlugin

/// Which clock a timer follows.
public enum TimerClock: Int32, Sendable, Equatable {
    /// Wall-clock time: fires on an idle partition too.
    case wall = 0
    /// The partition's stream time (the highest record timestamp seen on it).
    case stream = 1
}

/// A timer that is due, handed to ``Agent/onTimer(_:context:)``.
public struct TimerFiring: Sendable, Equatable {
    /// Where the timer came from.
    public enum Origin: Sendable, Equatable {
        /// A timer the agent declares in ``Agent/timers`` (already rescheduled for its next firing).
        case declared
        /// A timer the agent scheduled with ``AgentContext/scheduleTimer(_:at:clock:)``.
        case scheduled
    }

    /// The declared timer's name, or the key the agent scheduled it with.
    public let name: String
    /// Declared or scheduled.
    public let origin: Origin
    /// The clock it follows.
    public let clock: TimerClock
    /// When it was due on its clock, in milliseconds since the epoch.
    public let dueMilliseconds: Int64
}
