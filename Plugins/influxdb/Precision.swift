/// The unit of line-protocol timestamps (the `/write?precision=` parameter),
/// and of integer timestamps found in records.
public enum Precision: String, Sendable, CaseIterable, Decodable {
    /// Nanoseconds.
    case nanoseconds = "ns"
    /// Microseconds.
    case microseconds = "us"
    /// Milliseconds.
    case milliseconds = "ms"
    /// Seconds.
    case seconds = "s"
    /// Minutes.
    case minutes = "m"
    /// Hours.
    case hours = "h"

    /// Nanoseconds in one unit.
    public var nanosecondsPerUnit: Int64 {
        switch self {
        case .nanoseconds: 1
        case .microseconds: 1_000
        case .milliseconds: 1_000_000
        case .seconds: 1_000_000_000
        case .minutes: 60_000_000_000
        case .hours: 3_600_000_000_000
        }
    }

    /// The value InfluxDB 1.x's `/write` expects (`u` for microseconds).
    public var queryValue: String {
        switch self {
        case .nanoseconds: "ns"
        case .microseconds: "u"
        case .milliseconds: "ms"
        case .seconds: "s"
        case .minutes: "m"
        case .hours: "h"
        }
    }
}
