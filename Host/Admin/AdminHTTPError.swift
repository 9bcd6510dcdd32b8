import Hummingbird

/// A request the admin API turns down, rendered as `{"error": "..."}`.
public struct AdminHTTPError: Error, Sendable, CustomStringConvertible {
    /// The HTTP status.
    public let status: HTTPResponse.Status
    /// What is wrong with the request, for the operator.
    public let message: String
    /// Extra response headers (e.g. `WWW-Authenticate`).
    public let headers: HTTPFields

    /// Creates an error answered with `status` and `message`.
    public init(_ status: HTTPResponse.Status, _ message: String, headers: HTTPFields = [:]) {
        self.status = status
        self.message = message
        self.headers = headers
    }

    /// `<code>: <message>`.
    public var description: String { "\(status.code): \(message)" }

    /// 400 with `message`.
    static func badRequest(_ message: String) -> Self { .init(.badRequest, message) }
}
