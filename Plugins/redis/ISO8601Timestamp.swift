/// An instant parsed from ISO-8601 text, kept as whole seconds since the
/// epoch plus nanoseconds, so a score or millisecond value is exact.
///
/// Accepted: `YYYY-MM-DD`, optionally followed by `T` (or a space) and
/// `hh:mm`, `hh:mm:ss` or `hh:mm:ss.fraction` (up to 9 digits; more are
/// truncated), then `Z`, `±hh:mm`, `±hhmm`, `±hh`, or nothing (read as UTC).
struct ISO8601Timestamp: Equatable {
    /// Seconds since 1970-01-01T00:00:00Z (floor).
    let seconds: Int64
    /// 0 ..< 1_000_000_000.
    let nanoseconds: Int64

    /// Parses `text`; nil when it is not an ISO-8601 timestamp.
    init?(_ text: UnsafeRawBufferPointer) {
        var reader = DigitReader(bytes: text)
        guard let year = reader.number(digits: 4), reader.skip("-"),
              let month = reader.number(digits: 2), reader.skip("-"),
              let day = reader.number(digits: 2),
              (1...12).contains(month), (1...Self.daysIn(month: month, year: year)).contains(day) else { return nil }
        var hour: Int64 = 0, minute: Int64 = 0, second: Int64 = 0, nanos: Int64 = 0, offset: Int64 = 0
        if reader.skip("T") || reader.skip("t") || reader.skip(" ") {
            guard let h = reader.number(digits: 2), reader.skip(":"), let m = reader.number(digits: 2),
                  h <= 23, m <= 59 else { return nil }
            hour = h
            minute = m
            if reader.skip(":") {
                // 60 is a leap second; it is read as the next second's start.
                guard let s = reader.number(digits: 2), s <= 60 else { return nil }
                second = s
                if reader.skip(".") || reader.skip(",") {
                    var digits = 0
                    while let digit = reader.digit() {
                        if digits < 9 { nanos = nanos * 10 + digit }
                        digits += 1
                    }
                    guard digits > 0 else { return nil }
                    for _ in min(digits, 9)..<9 { nanos *= 10 }
                }
            }
            if reader.skip("Z") || reader.skip("z") {
                offset = 0
            } else if let sign: Int64 = reader.skip("+") ? 1 : (reader.skip("-") ? -1 : nil) {
                guard let oh = reader.number(digits: 2), oh <= 23 else { return nil }
                var om: Int64 = 0
                if reader.skip(":") {
                    guard let value = reader.number(digits: 2) else { return nil }
                    om = value
                } else if let value = reader.number(digits: 2) {
                    om = value
                }
                guard om <= 59 else { return nil }
                offset = sign * (oh * 3600 + om * 60)
            }
        }
        guard reader.atEnd else { return nil }
        let days = Self.daysFromCivil(year: year, month: month, day: day)
        seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset
        nanoseconds = nanos
    }

    /// Epoch seconds as decimal text: `1558446912.123`, or `1558446912` when whole.
    var epochSecondsText: String {
        guard nanoseconds != 0 else { return String(seconds) }
        // seconds is the floor: -0.5 s is seconds -1, nanoseconds 500_000_000.
        let negative = seconds < 0
        let whole = negative ? -(seconds + 1) : seconds
        let fraction = negative ? 1_000_000_000 - nanoseconds : nanoseconds
        var digits = String(fraction)
        digits = String(repeating: "0", count: 9 - digits.count) + digits
        while digits.hasSuffix("0") { digits.removeLast() }
        return (negative ? "-" : "") + String(whole) + "." + digits
    }

    /// Epoch milliseconds (floor).
    var epochMilliseconds: Int64 { seconds * 1000 + nanoseconds / 1_000_000 }

    private static func isLeap(_ year: Int64) -> Bool { year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) }

    private static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
    private static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}

/// Reads fixed-width digits and punctuation from bytes.
private struct DigitReader {
    let bytes: UnsafeRawBufferPointer
    var position = 0

    var atEnd: Bool { position == bytes.count }

    mutating func digit() -> Int64? {
        guard position < bytes.count, bytes[position] >= 0x30, bytes[position] <= 0x39 else { return nil }
        defer { position += 1 }
        return Int64(bytes[position] - 0x30)
    }

    mutating func number(digits: Int) -> Int64? {
        let start = position
        var value: Int64 = 0
        for _ in 0..<digits {
            guard let next = digit() else { position = start; return nil }
            value = value * 10 + next
        }
        return value
    }

    mutating func skip(_ character: Unicode.Scalar) -> Bool {
        guard position < bytes.count, bytes[position] == UInt8(character.value) else { return false }
        position += 1
        return true
    }
}
