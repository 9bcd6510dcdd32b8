import Foundation

/// Durations as written in configuration: a decimal number with a unit,
/// `250ms`, `1s`, `1.5s`, `2m`, `1h`, or a bare number meaning seconds.
enum DurationText {
    /// Nanoseconds per unit, longest suffix first so `ms` wins over `m` and `s`.
    private static let units: [(suffix: String, nanoseconds: Int64)] = [
        ("ms", 1_000_000),
        ("s", 1_000_000_000),
        ("m", 60_000_000_000),
        ("h", 3_600_000_000_000),
    ]

    /// How durations are described in error messages.
    static let shape = "250ms, 1s, 2m or 1h"

    /// The duration `text` denotes, or nil when it is not one (or overflows).
    static func parse(_ text: String) -> Duration? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        var number = Substring(trimmed)
        var unit: Int64 = 1_000_000_000
        for candidate in units where trimmed.hasSuffix(candidate.suffix) {
            number = trimmed.dropLast(candidate.suffix.count)
            unit = candidate.nanoseconds
            break
        }
        let pieces = number.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let whole = pieces.first, !whole.isEmpty, whole.allSatisfy(\.isASCIIDigit),
              let wholeValue = Int64(whole) else { return nil }
        var (total, overflow) = wholeValue.multipliedReportingOverflow(by: unit)
        guard !overflow else { return nil }
        if pieces.count == 2 {
            let fraction = pieces[1]
            guard !fraction.isEmpty, fraction.allSatisfy(\.isASCIIDigit),
                  let fractionValue = Double("0." + fraction) else { return nil }
            // Below a nanosecond nothing in the host can act on; rounding is fine.
            let extra = Int64((fractionValue * Double(unit)).rounded())
            (total, overflow) = total.addingReportingOverflow(extra)
            guard !overflow else { return nil }
        }
        return .nanoseconds(total)
    }

    /// The shortest text `parse` reads back as `duration` (to the nanosecond):
    /// `1h`, `2m`, `30s`, `250ms`, else fractional seconds such as `0.0000015s`.
    static func format(_ duration: Duration) -> String {
        let nanoseconds = duration.wholeNanoseconds
        if nanoseconds == 0 { return "0s" }
        for (suffix, unit) in units.reversed() where nanoseconds % unit == 0 {
            return "\(nanoseconds / unit)\(suffix)"
        }
        let seconds = nanoseconds / 1_000_000_000
        var fraction = String(nanoseconds % 1_000_000_000)
        fraction = String(repeating: "0", count: 9 - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return "\(seconds).\(fraction)s"
    }
}

extension Duration {
    /// This duration in whole nanoseconds (truncated), for arithmetic and formatting.
    var wholeNanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        return whole.addingReportingOverflow(attoseconds / 1_000_000_000).overflow
            ? .max : whole + attoseconds / 1_000_000_000
    }

    /// This duration in seconds as a double.
    var secondsValue: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}

extension Character {
    /// Whether this is one of 0–9 (not any Unicode digit).
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
