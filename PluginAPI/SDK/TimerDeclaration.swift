import SluicePluginKit

/// A recurring wall-clock timer an ``Agent`` declares (see ``Agent/timers``):
/// it fires on every assigned partition, and each firing reaches
/// ``Agent/onTimer(_:context:)`` as a ``TimerFiring`` with the timer's name.
///
/// A partition's timers start with its first batch (the host schedules
/// timers for an open batch only).
public struct TimerDeclaration: Sendable, Equatable {
    /// When a declared timer fires.
    public enum Schedule: Sendable, Equatable {
        /// Every `period` of wall-clock time: first one period after the
        /// partition's first batch, then one period after each firing was due
        /// (a firing that is more than a period late is followed one period
        /// after it ran, so missed ones do not pile up).
        case every(Duration)
        /// On a 5-field cron schedule, in UTC (see `CronSchedule`).
        case cron(CronSchedule)
    }

    /// The name ``TimerFiring/name`` carries: `[A-Za-z0-9_.-]{1,64}`.
    public let name: String
    /// When it fires.
    public let schedule: Schedule

    /// A timer firing every `period` of wall-clock time.
    public static func every(_ period: Duration, name: String) -> TimerDeclaration {
        TimerDeclaration(name: name, schedule: .every(period))
    }

    /// A timer on a cron schedule (`"*/5 * * * *"`: every five minutes, UTC).
    /// - Throws: `CronSyntaxError` when the expression cannot be read.
    public static func cron(_ expression: String, name: String) throws(CronSyntaxError) -> TimerDeclaration {
        TimerDeclaration(name: name, schedule: .cron(try CronSchedule(parsing: expression)))
    }

    /// When it is next due after a firing that was due at `due`, with the
    /// wall clock at `now` (milliseconds since the epoch); nil when never.
    func nextDue(after due: Int64, now: Int64) -> Int64? {
        switch schedule {
        case .every(let period):
            let length = max(1, period.milliseconds)
            return due + length > now ? due + length : now + length
        case .cron(let cron):
            return cron.nextFire(afterMilliseconds: max(due, now))
        }
    }

    /// Why the declaration cannot be used, or nil when it can.
    var problem: String? {
        let allowed = name.utf8.allSatisfy { byte in
            (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x30 && byte <= 0x39)
                || byte == 0x5F || byte == 0x2E || byte == 0x2D
        }
        if name.isEmpty || name.utf8.count > 64 || !allowed { return "timer name '\(name)' must match [A-Za-z0-9_.-]{1,64}" }
        if case .every(let period) = schedule, period.milliseconds < 1 { return "timer '\(name)': the period must be at least 1 ms" }
        return nil
    }
}
