/// A standard 5-field cron schedule, `minute hour day-of-month month day-of-week`,
/// evaluated in UTC.
///
/// Each field takes `*`, a number, a range `a-b`, a step `*/n` or `a-b/n`, and
/// comma-separated lists of those. Day of week counts from 0 (Sunday) to 6;
/// 7 is Sunday too. As in Vixie cron, when both day fields are restricted
/// (neither starts with `*`) a day matches when **either** matches
/// (`0 0 13 * 5`: every 13th and every Friday); when one of them starts with
/// `*`, both must match. Names (`jan`, `mon`) and `@daily`-style shortcuts are
/// not accepted.
public struct CronSchedule: Sendable, Equatable, CustomStringConvertible {
    /// The expression as given.
    public let expression: String
    /// Bit `n` set: minute `n` (0-59) matches.
    let minutes: UInt64
    /// Bit `n` set: hour `n` (0-23) matches.
    let hours: UInt64
    /// Bit `n` set: day of month `n` (1-31) matches.
    let daysOfMonth: UInt64
    /// Bit `n` set: month `n` (1-12) matches.
    let months: UInt64
    /// Bit `n` set: weekday `n` (0 = Sunday ... 6) matches.
    let daysOfWeek: UInt64
    /// Whether the day-of-month field starts with `*` (Vixie cron's rule).
    let dayOfMonthIsStar: Bool
    /// Whether the day-of-week field starts with `*`.
    let dayOfWeekIsStar: Bool

    public var description: String { expression }

    /// How far ``nextFire(afterMilliseconds:)`` looks ahead: 28 years cover
    /// every combination of leap year and weekday, so a schedule with no fire
    /// in that span (`0 0 30 2 *`) never fires.
    static let searchDays: Int64 = 366 * 28

    /// The first minute strictly after `instant` (milliseconds since the
    /// epoch, UTC) at which the schedule fires, in milliseconds since the
    /// epoch; nil when it never fires (February 30th).
    public func nextFire(afterMilliseconds instant: Int64) -> Int64? {
        let minuteMillis: Int64 = 60_000
        let dayMinutes: Int64 = 1_440
        // The first whole minute after the instant.
        let firstMinute = Self.floorDivide(instant, minuteMillis) + 1
        var day = Self.floorDivide(firstMinute, dayMinutes)
        var startMinuteOfDay = firstMinute - day * dayMinutes
        let lastDay = day + Self.searchDays
        while day <= lastDay {
            if matches(day: day), let minuteOfDay = firstMatchingMinute(from: startMinuteOfDay) {
                return (day * dayMinutes + minuteOfDay) * minuteMillis
            }
            day += 1
            startMinuteOfDay = 0
        }
        return nil
    }

    /// Whether the schedule's day fields and month accept `day` (days since the epoch).
    func matches(day: Int64) -> Bool {
        let date = CivilCalendar.date(days: day)
        guard months & (1 << UInt64(date.month)) != 0 else { return false }
        let weekday = ((day % 7) + 7 + 4) % 7 // 1970-01-01 was a Thursday (4)
        let domMatches = daysOfMonth & (1 << UInt64(date.day)) != 0
        let dowMatches = daysOfWeek & (1 << UInt64(weekday)) != 0
        if dayOfMonthIsStar || dayOfWeekIsStar { return domMatches && dowMatches }
        return domMatches || dowMatches
    }

    /// The first matching minute of a day at or after `start` (0-1439).
    private func firstMatchingMinute(from start: Int64) -> Int64? {
        var hour = start / 60
        var minute = start % 60
        while hour < 24 {
            if hours & (1 << UInt64(hour)) != 0 {
                // The lowest matching minute at or after `minute`.
                let candidates = minutes >> UInt64(minute)
                if candidates != 0 { return hour * 60 + minute + Int64(candidates.trailingZeroBitCount) }
            }
            hour += 1
            minute = 0
        }
        return nil
    }

    private static func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
        value >= 0 ? value / divisor : -((-value + divisor - 1) / divisor)
    }
}
