/// Where the admin HTTP API listens and how it is protected (yaml: `admin:`).
public struct AdminSettings: Sendable, Equatable {
    /// Listen address (yaml: `admin.host`, env `SLUICE_ADMIN_HOST`).
    public var host: String = "127.0.0.1"
    /// Listen port; 0 lets the OS pick a free one (yaml: `admin.port`, env `SLUICE_ADMIN_PORT`).
    public var port: Int = 6066
    /// Bearer token required by mutating endpoints; nil: none
    /// (yaml: `admin.token`, env `SLUICE_ADMIN_TOKEN`). Never logged.
    public var token: String?

    /// The defaults: 127.0.0.1:6066, no token.
    public init() {}
}
