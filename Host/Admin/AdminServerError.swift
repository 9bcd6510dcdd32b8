/// Why the admin server refused to start.
public enum AdminServerError: Error, Equatable, CustomStringConvertible {
    /// Bound to an address reachable from other machines without a bearer token.
    case tokenRequired(host: String)
    /// The port is outside 0...65535.
    case invalidPort(Int)
    /// The token (from `source`: `admin.token` or the token file) is empty or only whitespace.
    case blankToken(source: String)
    /// Both `admin.token` (or `SLUICE_ADMIN_TOKEN`) and `admin.token_file` are set.
    case tokenAndTokenFile(file: String)
    /// The token file cannot be read (missing, a directory, no permission).
    case tokenFileUnreadable(file: String, reason: String)
    /// The token file may be read or written by other users (`mode`: its permission bits, e.g. 0o644).
    case tokenFileTooOpen(file: String, mode: UInt32)
    /// The token file belongs to another user than the one running the host.
    case tokenFileNotOwned(file: String, owner: UInt32, user: UInt32)
    /// `admin.max_connections` is below 1.
    case invalidConnectionLimit(Int)

    /// One line saying what is wrong and how to fix it (never the token).
    public var description: String {
        switch self {
        case .tokenRequired(let host):
            "admin API: refusing to listen on \(host) without a token: set admin.token_file, admin.token "
                + "(or SLUICE_ADMIN_TOKEN), or bind admin.host to 127.0.0.1"
        case .invalidPort(let port):
            "admin API: port \(port) is out of range (expected 0...65535; 0 picks a free port)"
        case .blankToken(let source):
            "admin API: the token in \(source) is empty or only whitespace: set a real token, or remove it "
                + "(then only loopback is allowed, and every local user can drive the host)"
        case .tokenAndTokenFile(let file):
            "admin API: both admin.token (or SLUICE_ADMIN_TOKEN) and admin.token_file (\(file)) are set: keep one"
        case .tokenFileUnreadable(let file, let reason):
            "admin API: cannot read the token file \(file): \(reason)"
        case .tokenFileTooOpen(let file, let mode):
            "admin API: refusing the token file \(file): its mode is \(Self.octal(mode)), so other users can "
                + "read or change it; expected 0600 or 0400 (chmod 600 \(file))"
        case .tokenFileNotOwned(let file, let owner, let user):
            "admin API: refusing the token file \(file): it is owned by uid \(owner), not by the user running "
                + "the host (uid \(user))"
        case .invalidConnectionLimit(let limit):
            "admin API: max_connections \(limit) is out of range (expected at least 1)"
        }
    }

    /// `0644`-style permission bits.
    static func octal(_ mode: UInt32) -> String {
        let text = String(mode & 0o7777, radix: 8)
        return String(repeating: "0", count: max(0, 4 - text.count)) + text
    }
}
