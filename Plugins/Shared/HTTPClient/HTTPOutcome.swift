import Foundation

/// What to do with the result of a request: the retry rules every plugin on
/// the shared client follows.
///
/// - 2xx → ``success``.
/// - 408, 429, 5xx, connect errors, timeouts, other transport errors →
///   ``retry(after:reason:)``, with the server's `Retry-After` (seconds or
///   HTTP-date) when it sent one.
/// - Any other status (other 4xx, 3xx, 1xx) → ``fail(reason:)`` with the
///   status and an excerpt of the body (at most ``excerptLimit`` characters).
public enum HTTPOutcome: Sendable, Equatable {
    /// Delivered.
    case success
    /// Transient: try again, not before `after` when the server said so.
    case retry(after: Duration?, reason: String)
    /// Permanent: the request itself is wrong; dead-letter it.
    case fail(reason: String)

    /// The most characters of a response body a reason quotes.
    public static let excerptLimit = 200

    /// Classifies one result of ``HTTPClient/perform(_:)``.
    public static func classify(_ result: Result<HTTPResponse, HTTPClientError>) -> HTTPOutcome {
        switch result {
        case .failure(let error):
            return .retry(after: nil, reason: error.description)
        case .success(let response):
            let status = response.status
            if (200..<300).contains(status) { return .success }
            let reason = describe(response)
            if status == 408 || status == 429 || (500..<600).contains(status) {
                return .retry(after: RetryAfter.parse(response.header("Retry-After")), reason: reason)
            }
            return .fail(reason: reason)
        }
    }

    /// `HTTP <status>: <excerpt>` (or just `HTTP <status>` for an empty body).
    public static func describe(_ response: HTTPResponse) -> String {
        let excerpt = excerpt(of: response.bodyText)
        return excerpt.isEmpty ? "HTTP \(response.status)" : "HTTP \(response.status): \(excerpt)"
    }

    /// The first ``excerptLimit`` characters of `text` on one line, with `…` when cut.
    public static func excerpt(of text: String) -> String {
        let oneLine = text.split(whereSeparator: \.isNewline).joined(separator: " ")
            .trimmingCharacters(in: .whitespaces)
        guard oneLine.count > excerptLimit else { return oneLine }
        return String(oneLine.prefix(excerptLimit - 1)) + "…"
    }
}
