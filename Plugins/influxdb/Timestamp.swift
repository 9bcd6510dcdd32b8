import SluicePluginKit

/// An instant as nanoseconds since the Unix epoch: InfluxDB's own resolution
/// and range (1677-09-21 to 2262-04-11). Parsing and formatting are exact
/// (no trip through `Double`), so an order at `…:30.000000001Z` is not
/// rounded onto a price at `…:30Z`.
public struct Timestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Nanoseconds since 1970-01-01T00:00:00Z.
    public let nanoseconds: Int64

    /// An instant `nanoseconds` after the epoch.
    public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool { lhs.nanoseconds < rhs.nanoseconds }

    /// The RFC 3339 form in UTC (``rfc3339``).
    public var description: String { rfc3339 }

    /// Parses RFC 3339 / ISO 8601 date-times: `2024-03-01T12:30:00Z`,
    /// `2024-03-01T12:30:00.123456789+02:00`, `2024-03-01 12:30:00Z`
    /// (space instead of `T`), `…+0200`. A missing offset is refused: an order
    /// time without a zone is ambiguous. Nil when malformed or out of range.
    public init?(rfc3339 text: String) {
        guard let instant = ISO8601Instant(text, form: .rfc3339) else { return nil }
        self.init(instant)
    }

    /// Parses RFC 3339 from UTF-8 bytes, as the `String` initialiser does.
    public init?(rfc3339 text: UnsafeRawBufferPointer) {
        guard let instant = ISO8601Instant(text, form: .rfc3339) else { return nil }
        self.init(instant)
    }

    /// The instant `instant`; nil beyond InfluxDB's range.
    private init?(_ instant: ISO8601Instant) {
        let (scaled, overflow) = instant.seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { return nil }
        let (total, overflowAgain) = scaled.addingReportingOverflow(instant.nanoseconds)
        guard !overflowAgain else { return nil }
        nanoseconds = total
    }

    /// `2024-03-01T12:30:00Z`, with a fraction only when non-zero and without
    /// trailing zeros (`…:00.5Z`), like Go's `RFC3339Nano` that InfluxDB uses.
    public var rfc3339: String {
        let perDay: Int64 = 86_400 * 1_000_000_000
        var days = nanoseconds / perDay
        var rest = nanoseconds % perDay
        if rest < 0 { rest += perDay; days -= 1 }
        let (year, month, day) = CivilCalendar.date(days: days)
        let secondsOfDay = rest / 1_000_000_000
        let fraction = rest % 1_000_000_000
        func pad(_ value: Int64, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        var text = "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(secondsOfDay / 3600, 2)):\(pad(secondsOfDay / 60 % 60, 2)):\(pad(secondsOfDay % 60, 2))"
        if fraction != 0 {
            var digits = pad(fraction, 9)
            while digits.hasSuffix("0") { digits.removeLast() }
            text += "." + digits
        }
        return text + "Z"
    }

    /// The instant in units of `precision`, rounded down (toward the past).
    public func value(in precision: Precision) -> Int64 {
        let unit = precision.nanosecondsPerUnit
        var quotient = nanoseconds / unit
        if nanoseconds % unit < 0 { quotient -= 1 }
        return quotient
    }

    /// `value` units of `precision` after the epoch; nil if out of range.
    public init?(value: Int64, precision: Precision) {
        let (product, overflow) = value.multipliedReportingOverflow(by: precision.nanosecondsPerUnit)
        guard !overflow else { return nil }
        nanoseconds = product
    }
}
