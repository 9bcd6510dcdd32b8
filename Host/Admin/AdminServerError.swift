/// Why the admin server refused to start.
public enum AdminServerError: Error, Equatable, CustomStringConvertible {
    /// Bound to an address reachable from other machines without a bearer token.
    case tokenRequired(host: String)
    /// The port is outside 0...65535.
    case invalidPort(Int)

    /// One line saying what is wrong and how to fix it (never the token).
    public var description: String {
        switch self {
        case .tokenRequired(let host):
            "admin API: refusing to listen on \(host) without a token: set admin.token (or SLUICE_ADMIN_TOKEN), "
                + "or bind admin.host to 127.0.0.1"
        case .invalidPort(let port):
            "admin API: port \(port) is out of range (expected 0...65535; 0 picks a free port)"
        }
    }
}
