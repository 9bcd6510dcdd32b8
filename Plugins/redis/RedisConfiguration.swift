import SluiceSDK

/// The redis agent's settings (the sidecar's `config:`), declared in
/// ``spec`` (RedisConfiguration+Spec.swift), which checks keys, types and
/// ranges and fills in defaults before this decodes. Every key is optional;
/// the defaults are Faust's Redis example:
/// `ZADD <user> <timestamp as epoch seconds> <message>` on `127.0.0.1:6379/0`.
struct RedisConfiguration: DeclaredConfiguration {
    /// `redis://[user:password@]host:port/db`.
    var url = "redis://127.0.0.1:6379/0"
    /// The password (overrides one in `url`). The host redacts keys named
    /// like `password` when it shows a configuration; it does not look inside `url`.
    var password: String?
    /// The name of an environment variable holding the password (overrides
    /// `password` and `url`), so the secret need not be written in the sidecar.
    var passwordEnvironment: String?
    /// The commands run per record, each a list of argument templates.
    var commands: [[String]] = [["ZADD", "{user}", "{timestamp:epoch}", "{message}"]]
    /// Prepended to each command's first argument (the Redis key).
    var keyPrefix = ""
    /// When set, `EXPIRE <key> <seconds>` follows the commands of each record, per key.
    var expireSeconds: Int?
    /// The most connections the instance opens (shared by its partitions).
    var poolSize = 4
    /// Timeout of a TCP connect, in milliseconds.
    var connectTimeoutMilliseconds = 2000
    /// Timeout of a read or write on a connection, in milliseconds.
    var timeoutMilliseconds = 5000
    /// First wait before reconnecting after a failure, in milliseconds; doubles per failure.
    var reconnectBackoffMilliseconds = 100
    /// Longest wait between reconnect attempts, in milliseconds.
    var reconnectBackoffMaxMilliseconds = 5000

    enum CodingKeys: String, CodingKey {
        case url, commands, password
        case passwordEnvironment = "password_env"
        case keyPrefix = "key_prefix"
        case expireSeconds = "expire_seconds"
        case poolSize = "pool_size"
        case connectTimeoutMilliseconds = "connect_timeout_ms"
        case timeoutMilliseconds = "timeout_ms"
        case reconnectBackoffMilliseconds = "reconnect_backoff_ms"
        case reconnectBackoffMaxMilliseconds = "reconnect_backoff_max_ms"
    }

    init() {}

    /// Parses the URL and templates and checks what the declaration cannot
    /// (one key against another); the error names the key.
    func validate() throws(ConfigurationError) {
        _ = try RedisURL(parsing: url)
        _ = try CommandPlan(configuration: self)
        guard reconnectBackoffMaxMilliseconds >= reconnectBackoffMilliseconds else {
            throw ConfigurationError("'reconnect_backoff_max_ms' must be at least 'reconnect_backoff_ms'")
        }
    }
}
