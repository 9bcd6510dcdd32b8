/// The admin API's shared secret, compared in constant time.
///
/// Kept out of every description so that logging the value by mistake prints
/// nothing useful.
public struct BearerToken: Sendable, CustomStringConvertible {
    private let secret: [UInt8]

    /// Wraps `token`.
    public init(_ token: String) {
        secret = Array(token.utf8)
    }

    /// Whether an `Authorization` header value is `Bearer <this token>`.
    ///
    /// The comparison takes the same time wherever the first difference is,
    /// so response times do not leak how much of a guess was right.
    public func accepts(authorization: String?) -> Bool {
        guard let authorization else { return false }
        let scheme = "bearer "
        guard authorization.utf8.count > scheme.utf8.count,
              authorization.prefix(scheme.count).lowercased() == scheme else { return false }
        let presented = Array(authorization.utf8.dropFirst(scheme.utf8.count))
        return Self.constantTimeEqual(presented, secret)
    }

    /// Equal bytes, in time that depends only on the lengths.
    static func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        var difference = UInt8(truncatingIfNeeded: lhs.count ^ rhs.count)
        difference |= UInt8(lhs.count == rhs.count ? 0 : 1)
        let length = max(lhs.count, rhs.count)
        for index in 0..<length {
            let left = index < lhs.count ? lhs[index] : 0
            let right = index < rhs.count ? rhs[index] : 0
            difference |= left ^ right
        }
        return difference == 0
    }

    /// Never the token itself.
    public var description: String { "<redacted>" }
}
