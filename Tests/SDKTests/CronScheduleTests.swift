import SluicePluginKit
import Testing

@Suite("Cron schedules: next-fire computation")
struct CronScheduleTests {
    /// Epoch milliseconds of a UTC date and time.
    static func at(_ year: Int64, _ month: Int64, _ day: Int64, _ hour: Int64 = 0, _ minute: Int64 = 0, _ second: Int64 = 0) -> Int64 {
        ((CivilCalendar.days(year: year, month: month, day: day) * 24 + hour) * 60 + minute) * 60_000 + second * 1000
    }

    static func next(_ expression: String, after instant: Int64) throws -> Int64? {
        try CronSchedule(parsing: expression).nextFire(afterMilliseconds: instant)
    }

    @Test("steps of minutes: the next multiple, strictly after the instant")
    func minuteSteps() throws {
        #expect(try Self.next("*/15 * * * *", after: Self.at(2024, 3, 1, 12, 7, 30)) == Self.at(2024, 3, 1, 12, 15))
        #expect(try Self.next("*/15 * * * *", after: Self.at(2024, 3, 1, 12, 15)) == Self.at(2024, 3, 1, 12, 30))
        #expect(try Self.next("*/15 * * * *", after: Self.at(2024, 3, 1, 23, 59, 59)) == Self.at(2024, 3, 2, 0, 0))
        #expect(try Self.next("5/15 * * * *", after: Self.at(2024, 3, 1, 12, 36)) == Self.at(2024, 3, 1, 12, 50))
    }

    @Test("month ends: the 31st skips months that have none")
    func monthEnds() throws {
        #expect(try Self.next("0 0 31 * *", after: Self.at(2024, 4, 1)) == Self.at(2024, 5, 31))
        #expect(try Self.next("0 0 31 * *", after: Self.at(2024, 12, 31, 0, 0)) == Self.at(2025, 1, 31))
    }

    @Test("leap years: 29 February comes every four years, not in 2100")
    func leapYears() throws {
        #expect(try Self.next("0 12 29 2 *", after: Self.at(2025, 3, 1)) == Self.at(2028, 2, 29, 12))
        #expect(try Self.next("0 0 29 2 *", after: Self.at(2096, 3, 1)) == Self.at(2104, 2, 29))
        #expect(try Self.next("0 0 30 2 *", after: Self.at(2024, 1, 1)) == nil, "February 30th never comes")
    }

    @Test("both day fields restricted: either matches (Vixie cron's OR rule)")
    func dayOrRule() throws {
        // 2024-10-01 is a Tuesday: the next Friday is the 4th, before the 13th.
        #expect(try Self.next("0 0 13 * 5", after: Self.at(2024, 10, 1)) == Self.at(2024, 10, 4))
        // After Friday the 11th: Sunday the 13th comes before Friday the 18th.
        #expect(try Self.next("0 0 13 * 5", after: Self.at(2024, 10, 11)) == Self.at(2024, 10, 13))
    }

    @Test("one day field starting with '*': both must match")
    func dayAndRule() throws {
        // Day of month restricted, day of week `*`: only the 1st.
        #expect(try Self.next("0 0 1 * *", after: Self.at(2024, 10, 2)) == Self.at(2024, 11, 1))
        // `*/2` starts with '*' too, so Vixie cron ANDs: an odd day that is a Monday.
        #expect(try Self.next("0 0 */2 * 1", after: Self.at(2024, 10, 1)) == Self.at(2024, 10, 7))
    }

    @Test("lists, ranges with steps, and 7 as Sunday")
    func listsAndRanges() throws {
        // 2024-10-05 is a Saturday.
        #expect(try Self.next("0 9-17/4,23 * * 1-5", after: Self.at(2024, 10, 5)) == Self.at(2024, 10, 7, 9))
        #expect(try Self.next("0 9-17/4,23 * * 1-5", after: Self.at(2024, 10, 7, 9)) == Self.at(2024, 10, 7, 13))
        #expect(try Self.next("0 9-17/4,23 * * 1-5", after: Self.at(2024, 10, 7, 17)) == Self.at(2024, 10, 7, 23))
        #expect(try Self.next("30 6 * * 7", after: Self.at(2024, 10, 5)) == Self.at(2024, 10, 6, 6, 30))
        #expect(try Self.next("0 0 1 1,7 *", after: Self.at(2024, 2, 1)) == Self.at(2024, 7, 1))
    }

    @Test("malformed expressions are refused with the field named", arguments: [
        ("61 * * * *", "minute field '61'"),
        ("* * * *", "expected 5 fields"),
        ("5-1 * * * *", "runs backwards"),
        ("*/0 * * * *", "step '0'"),
        ("* * 0 * *", "day of month field '0'"),
        ("* * * 13 *", "month field '13'"),
        ("* * * * mon", "day of week field 'mon'"),
    ])
    func malformed(expression: String, expected: String) {
        #expect(throws: CronSyntaxError.self) { try CronSchedule(parsing: expression) }
        do {
            _ = try CronSchedule(parsing: expression)
        } catch {
            #expect(error.description.contains(expected), "\(error.description)")
        }
    }
}
