import Foundation

/// Parses the `Retry-After` header (RFC 9110 §10.2.3).
public enum RetryAfter {
    /// The delay a `Retry-After` value asks for: delay-seconds (`"120"`) or an
    /// HTTP-date (`"Wed, 21 Oct 2015 07:28:00 GMT"`, relative to `now`; a
    /// date in the past means zero). Nil when absent or unreadable.
    public static func parse(_ value: String?, now: Date = Date()) -> Duration? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        if let seconds = Int64(value) { return seconds >= 0 ? .seconds(seconds) : nil }
        guard let date = httpDate(value) else { return nil }
        let interval = date.timeIntervalSince(now)
        return interval > 0 ? .milliseconds(Int64((interval * 1000).rounded(.up))) : .zero
    }

    /// IMF-fixdate, plus the obsolete RFC 850 and asctime forms servers may still send.
    private static func httpDate(_ text: String) -> Date? {
        for format in ["EEE, dd MMM yyyy HH:mm:ss zzz", "EEEE, dd-MMM-yy HH:mm:ss zzz", "EEE MMM d HH:mm:ss yyyy"] {
            // A formatter per call: DateFormatter is not Sendable, and Retry-After is rare.
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = format
            if let date = formatter.date(from: text) { return date }
        }
        return nil
    }
}
