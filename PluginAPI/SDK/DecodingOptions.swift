import Foundation

/// How the SDK's JSON decoder reads record values into an agent's ``Agent/Input``
/// (see ``Agent/decodingOptions``).
public struct DecodingOptions: Sendable {
    /// How a `Date` is read.
    public enum DateStrategy: Sendable {
        /// `Date`'s own `Decodable`: seconds since 2001-01-01 as a number
        /// (Foundation's default).
        case deferredToDate
        /// An RFC 3339 date-time string (`2024-03-01T12:30:00Z`, fractional
        /// seconds and offsets allowed), read exactly by the kit's ``ISO8601Instant``.
        case iso8601
        /// Seconds since 1970 as a number.
        case secondsSince1970
        /// Milliseconds since 1970 as a number.
        case millisecondsSince1970
    }

    /// How a `Date` is read. Default: ``DateStrategy/deferredToDate``.
    public var dateStrategy: DateStrategy
    /// Handed to `init(from:)` as the decoder's `userInfo`.
    public var userInfo: [CodingUserInfoKey: any Sendable]

    /// Options; the defaults read values as a plain `JSONDecoder()` does.
    public init(dateStrategy: DateStrategy = .deferredToDate, userInfo: [CodingUserInfoKey: any Sendable] = [:]) {
        self.dateStrategy = dateStrategy
        self.userInfo = userInfo
    }
}
