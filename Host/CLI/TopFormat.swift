import Foundation

/// How `sluice top` writes its figures: short, fixed forms that fit a column.
enum TopFormat {
    /// `42s`, `5m 03s`, `2h 05m`, `3d 04h`; `-` when unknown.
    static func uptime(_ seconds: Double?) -> String {
        guard let seconds, seconds.isFinite, seconds >= 0 else { return "-" }
        let total = Int(seconds)
        let (days, hours, minutes, rest) = (total / 86_400, total / 3600 % 24, total / 60 % 60, total % 60)
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        if days > 0 { return "\(days)d \(two(hours))h" }
        if hours > 0 { return "\(hours)h \(two(minutes))m" }
        if minutes > 0 { return "\(minutes)m \(two(rest))s" }
        return "\(rest)s"
    }

    /// Records per second: one decimal below 100 (`0.0`, `12.5`), whole above (`1234`); `-` when unknown.
    static func rate(_ perSecond: Double?) -> String {
        guard let perSecond, perSecond.isFinite else { return "-" }
        return perSecond < 100 ? String(format: "%.1f", perSecond) : String(format: "%.0f", perSecond)
    }

    /// A count, or `-` when unknown.
    static func count<Number: BinaryInteger>(_ value: Number?) -> String {
        value.map { "\($0)" } ?? "-"
    }

    /// `HH:MM:SS` in UTC.
    static func clock(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.hour, .minute, .second], from: date)
        return String(format: "%02d:%02d:%02d", parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0)
    }

    /// ISO 8601 in UTC with milliseconds, for the plain lines.
    static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
