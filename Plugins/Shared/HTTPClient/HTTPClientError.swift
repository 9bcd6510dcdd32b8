/// Why a request got no HTTP response.
public enum HTTPClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The connection could not be made (refused, unreachable, name not resolved).
    case connect(String)
    /// The connect or request timeout expired.
    case timeout(String)
    /// Anything else: connection reset, TLS failure, malformed response, client closed.
    case transport(String)

    /// A one-line description, e.g. `connect error: Couldn't connect to server`.
    public var description: String {
        switch self {
        case .connect(let detail): "connect error: \(detail)"
        case .timeout(let detail): "timeout: \(detail)"
        case .transport(let detail): "transport error: \(detail)"
        }
    }
}
