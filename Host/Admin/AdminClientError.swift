/// Why a request to the admin API failed, worded for the operator at a terminal.
public enum AdminClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Nothing answered at the address.
    case unreachable(url: String, reason: String)
    /// The API answered with an error status and (usually) a JSON `{"error": ...}`.
    case rejected(status: Int, message: String)
    /// The answer could not be read.
    case malformedResponse(String)
    /// The `--admin` URL is not an http(s) URL.
    case invalidURL(String)

    /// One line.
    public var description: String {
        switch self {
        case .unreachable(let url, let reason):
            "cannot reach the admin API at \(url): is `sluice run` running? (\(reason))"
        case .rejected(let status, let message):
            "the admin API answered \(status): \(message)"
        case .malformedResponse(let detail):
            "unexpected answer from the admin API: \(detail)"
        case .invalidURL(let url):
            "invalid admin API URL \"\(url)\": expected http://HOST:PORT"
        }
    }
}
