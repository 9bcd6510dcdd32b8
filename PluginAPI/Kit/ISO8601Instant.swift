/// An instant parsed from ISO-8601 text, kept as whole seconds since the
/// epoch plus nanoseconds, so a score, a millisecond value or a nanosecond
/// timestamp is exact (no trip through `Double`).
public struct ISO8601Instant: Sendable, Hashable {
    /// How much of ISO 8601 a parse accepts.
    public enum Form: Sendable {
        /// `YYYY-MM-DD`, optionally followed by `T` (or a space) and `hh:mm`,
        /// `hh:mm:ss` or `hh:mm:ss.fraction`, then `Z`, `±hh:mm`, `±hhmm`,
        /// `±hh`, or nothing (read as UTC).
        case lenient
        /// RFC 3339 date-times only: seconds and a zone are required, since a
        /// time without a zone is ambiguous (`2024-03-01T12:30:00Z`,
        /// `2024-03-01 12:30:00.5+02:00`).
        case rfc3339
    }

    /// Seconds since 1970-01-01T00:00:00Z (floor).
    public let seconds: Int64
    /// 0 ..< 1_000_000_000. A fraction finer than nanoseconds is truncated.
    public let nanoseconds: Int64

    /// Parses UTF-8 text; nil when it is not an instant of `form`. A leap
    /// second (`:60`) is read as the start of the next second.
    public init?(_ text: UnsafeRawBufferPointer, form: Form = .lenient) {
        var reader = DigitReader(bytes: text)
        guard let year = reader.number(digits: 4), reader.skip("-"),
              let month = reader.number(digits: 2), reader.skip("-"),
              let day = reader.number(digits: 2),
              (1...12).contains(month), (1...CivilCalendar.daysIn(month: month, year: year)).contains(day)
        else { return nil }
        var hour: Int64 = 0, minute: Int64 = 0, second: Int64 = 0, nanos: Int64 = 0, offset: Int64 = 0
        let hasTime = reader.skip("T") || reader.skip("t") || reader.skip(" ")
        guard hasTime || form == .lenient else { return nil }
        if hasTime {
            guard let h = reader.number(digits: 2), reader.skip(":"), let m = reader.number(digits: 2),
                  h <= 23, m <= 59 else { return nil }
            hour = h
            minute = m
            let hasSeconds = reader.skip(":")
            guard hasSeconds || form == .lenient else { return nil }
            if hasSeconds {
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
            } else if form == .rfc3339, !reader.atSign {
                return nil
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
        let days = CivilCalendar.days(year: year, month: month, day: day)
        seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset
        nanoseconds = nanos
    }

    /// Parses `text` (see the byte-buffer initialiser).
    public init?(_ text: String, form: Form = .lenient) {
        var text = text
        guard let instant = text.withUTF8({ ISO8601Instant(UnsafeRawBufferPointer($0), form: form) }) else { return nil }
        self = instant
    }

    /// Epoch seconds as decimal text: `1558446912.123`, or `1558446912` when whole.
    public var epochSecondsText: String {
        var text: [UInt8] = []
        appendEpochSeconds(to: &text)
        return String(decoding: text, as: UTF8.self)
    }

    /// Appends ``epochSecondsText`` to `output` as UTF-8, without building a
    /// `String` (templates render one per record).
    public func appendEpochSeconds(to output: inout [UInt8]) {
        guard nanoseconds != 0 else { return NumberText.appendDecimal(seconds, to: &output) }
        // seconds is the floor: -0.5 s is seconds -1, nanoseconds 500_000_000.
        let negative = seconds < 0
        if negative { output.append(UInt8(ascii: "-")) }
        NumberText.appendDecimal(negative ? -(seconds + 1) : seconds, to: &output)
        output.append(UInt8(ascii: "."))
        var fraction = negative ? 1_000_000_000 - nanoseconds : nanoseconds
        var digits = 9
        while fraction % 10 == 0 { fraction /= 10; digits -= 1 }
        var divisor: Int64 = 1
        for _ in 1..<digits { divisor *= 10 }
        while divisor > 0 {
            output.append(UInt8(ascii: "0") + UInt8(fraction / divisor % 10))
            divisor /= 10
        }
    }

    /// Appends ``epochMilliseconds`` to `output` as UTF-8 decimal text.
    public func appendEpochMilliseconds(to output: inout [UInt8]) {
        NumberText.appendDecimal(epochMilliseconds, to: &output)
    }

    /// Epoch milliseconds (floor).
    public var epochMilliseconds: Int64 { seconds * 1000 + nanoseconds / 1_000_000 }
}

/// Reads fixed-width digits and punctuation from bytes.
private struct DigitReader {
    let bytes: UnsafeRawBufferPointer
    var position = 0

    var atEnd: Bool { position == bytes.count }

    /// Whether the next byte is `+` or `-`.
    var atSign: Bool { position < bytes.count && (bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-")) }

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
