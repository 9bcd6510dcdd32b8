/// Where the admin HTTP API listens, how it is protected, and the limits it
/// puts on its clients before authenticating them (yaml: `admin:`).
public struct AdminSettings: Sendable, Equatable {
    /// Listen address (yaml: `admin.host`, env `SLUICE_ADMIN_HOST`).
    public var host: String = "127.0.0.1"
    /// Listen port; 0 lets the OS pick a free one (yaml: `admin.port`, env `SLUICE_ADMIN_PORT`).
    public var port: Int = 6066
    /// Bearer token required by every endpoint but `/healthz`; nil: none
    /// (yaml: `admin.token`, env `SLUICE_ADMIN_TOKEN`). Never logged.
    public var token: String?
    /// A file holding the bearer token, read at start; it must be owned by
    /// the host's user and readable by nobody else (yaml: `admin.token_file`,
    /// env `SLUICE_ADMIN_TOKEN_FILE`).
    /// Exclusive with `token`.
    public var tokenFile: String?
    /// How long a new connection may take to send its first complete request
    /// head before it is closed (yaml: `admin.request_head_timeout`).
    public var requestHeadTimeout: Duration = .seconds(10)
    /// How long a connection may stay silent (no request part arriving, and
    /// no request being answered) before it is closed; this is what closes
    /// kept-alive connections between requests (yaml: `admin.idle_timeout`).
    public var idleTimeout: Duration = .seconds(30)
    /// The most admin connections open at once; a connection over it is
    /// closed as soon as it is accepted (yaml: `admin.max_connections`).
    public var maxConnections: Int = 64

    /// The defaults: 127.0.0.1:6066, no token, a 10 s head deadline, a 30 s
    /// idle timeout, 64 connections.
    public init() {}
}
